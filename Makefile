# Tugboat: every entry point is a make target over the Maven build; bin/tug runs what it built.
MVN ?= mvn -B -ntp
# Debian packages the tests drive for real (the rootfs comes from busybox-static; runc makes the reference bundle;
# etcdctl and kubectl are the clients users have). Installed only when missing.
# tug-init is a static C program: the build needs gcc and a static libc.
BUILD_TOOLS := gcc libc6-dev
TEST_TOOLS := busybox-static runc crun etcd-client iproute2 curl
BENCH_TOOLS := crun runc etcd-server etcd-client haproxy wrk conmon

.PHONY: build run test bench clean build-deps test-deps bench-deps

build: build-deps
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

build-deps:
	@bin/install-tools $(BUILD_TOOLS)

test-deps: build-deps
	@bin/install-tools $(TEST_TOOLS)
	@command -v kubectl >/dev/null || bin/install-tools kubernetes-client

bench-deps:
	@bin/install-tools $(BENCH_TOOLS)

clean:
	$(MVN) -q clean
