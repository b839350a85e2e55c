# Tugboat: every entry point is a make target over the Maven build; bin/tug runs what it built.
MVN ?= mvn -B -ntp
# Packages the tests drive for real (the rootfs comes from busybox-static; runc makes the reference bundle;
# etcdctl and kubectl are the clients users have). Installed only when a command is missing.
TEST_TOOLS := busybox:busybox-static runc:runc etcdctl:etcd-client ip:iproute2 gcc:gcc
BENCH_TOOLS := crun:crun runc:runc etcd:etcd-server etcdctl:etcd-client haproxy:haproxy wrk:wrk conmon:conmon

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
	@command -v kubectl >/dev/null || bin/install-tools kubectl:kubernetes-client

bench-deps:
	@bin/install-tools $(BENCH_TOOLS)

clean:
	$(MVN) -q clean
