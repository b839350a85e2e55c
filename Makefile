# Tugboat: every entry point is a make target over the Maven build; bin/tug runs what it built.
MVN ?= mvn -B -ntp
# Debian packages the tests drive for real (the rootfs comes from busybox-static; runc makes the reference bundle;
# etcdctl and kubectl are the clients users have). Installed only when missing.
TEST_TOOLS := busybox-static runc crun etcd-client iproute2 gcc libc6-dev curl
BENCH_TOOLS := crun runc etcd-server etcd-client haproxy wrk conmon

.PHONY: build run test bench clean test-deps bench-deps

build:
	$(MVN) -q package -DskipTests

run: build
	bin/tug up

# Every module is tested even when one fails; the summary lists each skipped test with its reason.
test: test-deps
	@$(MVN) --fail-at-end verify; status=$$?; bin/test-summary || status=1; exit $$status

bench: build bench-deps
	bin/tug bench all

bench-%: build bench-deps
	bin/tug bench $*

test-deps:
	@bin/install-tools $(TEST_TOOLS)
	@command -v kubectl >/dev/null || bin/install-tools kubernetes-client

bench-deps:
	@bin/install-tools $(BENCH_TOOLS)

clean:
	$(MVN) -q clean
