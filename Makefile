# networking-wireguard — top-level build.
#
# Variants (each in its own directory under $(B)):
#   rel   -O2, what `make` and `make install` build
#   asan  ASan+UBSan test build: unit tests, test tools, the binaries the tests run
#   fuzz  clang + libFuzzer harnesses
# New source files are picked up automatically: lib/*.c -> libnwg.a,
# agent/msg/*.c -> libnwgmsg.a (oslo.messaging client; depends on lib/ only),
# agent/*/*.c (conf, core, reconcile, sync, ctl, health, ...; main.c apart) -> libnwgagent.a,
# cli/*.c (but main.c) -> libnwgcli.a,
# tests/unit/test_*.c -> one cmocka binary each (tests/unit/ fixtures, the other
# .c files there, linked into each), tests/tools/*.c and bench/*.c ->
# one program each, tests/fuzz/fuzz_*.c -> one libFuzzer binary each.

B        ?= build
CC       ?= gcc
FUZZCC   ?= clang
PKGS     := libmnl libsodium librabbitmq jansson inih libqrencode libcurl libseccomp
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

STD      := -std=c11 -D_GNU_SOURCE
WARN     := -Wall -Wextra -Werror -Wshadow -Wvla -Wformat=2 -Wno-format-nonliteral
INC      := -Ilib/include -iquote lib -iquote agent -iquote cli
CFLAGS_rel  := -O2 -g -fstack-protector-strong -D_FORTIFY_SOURCE=2
CFLAGS_asan := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
CFLAGS_fuzz := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -DNWG_FUZZING
LDFLAGS_rel  :=
LDFLAGS_asan := -fsanitize=address,undefined
LDFLAGS_fuzz := -fsanitize=fuzzer,address,undefined
CC_rel  := $(CC)
CC_asan := $(CC)
CC_fuzz := $(FUZZCC)

LIB_SRC   := $(sort $(wildcard lib/*.c))
MSG_SRC   := $(sort $(wildcard agent/msg/*.c))
AGENT_SRC := $(filter-out agent/main.c,$(sort $(wildcard agent/*.c agent/*/*.c)))
AGENT_SRC := $(filter-out $(MSG_SRC),$(AGENT_SRC))
CLI_SRC   := $(filter-out cli/main.c,$(sort $(wildcard cli/*.c)))
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
# shared fixtures (tests/unit/*.c but test_*.c): linked into every unit test
UNIT_LIB_SRC := $(filter-out $(UNIT_SRC),$(sort $(wildcard tests/unit/*.c)))
TOOL_SRC  := $(sort $(wildcard tests/tools/*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
SYS_LIBS  := $(PKG_LIBS) -lpthread

AGENT_BIN := neutron-wireguard-agent
CLI_BIN   := neutron-wireguard

.PHONY: all asan fuzz clean check check-unit check-fuzz check-netns check-driver \
	check-agent check-e2e check-l3 check-kernel bench demo demo-down neutron-up \
	neutron-down deps format lint bench-kernel bench-scale check-ovn check-ovs check-multinode bench-ports check-dashboard

all: $(B)/rel/bin/$(AGENT_BIN) $(B)/rel/bin/$(CLI_BIN)

# $(1) = variant
define VARIANT
$(B)/$(1)/%.o: %.c
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(STD) $$(WARN) $$(INC) $$(PKG_CFLAGS) $$(CFLAGS_$(1)) -MMD -MP -c $$< -o $$@

$(B)/$(1)/libnwg.a: $$(patsubst %.c,$(B)/$(1)/%.o,$$(LIB_SRC))
	@mkdir -p $$(@D); rm -f $$@
	$$(if $$^,ar rcs $$@ $$^,printf '!<arch>\n' > $$@)
$(B)/$(1)/libnwgagent.a: $$(patsubst %.c,$(B)/$(1)/%.o,$$(AGENT_SRC))
	@mkdir -p $$(@D); rm -f $$@
	$$(if $$^,ar rcs $$@ $$^,printf '!<arch>\n' > $$@)
$(B)/$(1)/libnwgmsg.a: $$(patsubst %.c,$(B)/$(1)/%.o,$$(MSG_SRC))
	@mkdir -p $$(@D); rm -f $$@
	$$(if $$^,ar rcs $$@ $$^,printf '!<arch>\n' > $$@)
$(B)/$(1)/libnwgcli.a: $$(patsubst %.c,$(B)/$(1)/%.o,$$(CLI_SRC))
	@mkdir -p $$(@D); rm -f $$@
	$$(if $$^,ar rcs $$@ $$^,printf '!<arch>\n' > $$@)

$(1)_ARCHIVES := $(B)/$(1)/libnwgcli.a $(B)/$(1)/libnwgagent.a $(B)/$(1)/libnwgmsg.a \
	$(B)/$(1)/libnwg.a
$(1)_LINK = -Wl,--start-group $$($(1)_ARCHIVES) -Wl,--end-group $$(SYS_LIBS)

$(B)/$(1)/bin/$(AGENT_BIN): $(B)/$(1)/agent/main.o $$($(1)_ARCHIVES)
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(LDFLAGS_$(1)) -o $$@ $$< $$($(1)_LINK)
$(B)/$(1)/bin/$(CLI_BIN): $(B)/$(1)/cli/main.o $$($(1)_ARCHIVES)
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(LDFLAGS_$(1)) -o $$@ $$< $$($(1)_LINK)
endef
$(foreach v,rel asan fuzz,$(eval $(call VARIANT,$(v))))

# Unit tests (asan), test tools (asan), benchmarks (rel).
UNIT_BINS  := $(patsubst tests/unit/%.c,$(B)/asan/tests/%,$(UNIT_SRC))
TOOL_BINS  := $(patsubst tests/tools/%.c,$(B)/asan/tools/%,$(TOOL_SRC))
BENCH_BINS := $(patsubst bench/%.c,$(B)/rel/bench/%,$(BENCH_SRC))
FUZZ_BINS  := $(patsubst tests/fuzz/%.c,$(B)/fuzz/fuzzers/%,$(FUZZ_SRC))

UNIT_LIB_OBJ := $(patsubst %.c,$(B)/asan/%.o,$(UNIT_LIB_SRC))
$(B)/asan/tests/%: $(B)/asan/tests/unit/%.o $(UNIT_LIB_OBJ) $(asan_ARCHIVES)
	@mkdir -p $(@D)
	$(CC_asan) $(LDFLAGS_asan) -o $@ $< $(UNIT_LIB_OBJ) $(asan_LINK) -lcmocka
$(B)/asan/tools/%: $(B)/asan/tests/tools/%.o $(asan_ARCHIVES)
	@mkdir -p $(@D)
	$(CC_asan) $(LDFLAGS_asan) -o $@ $< $(asan_LINK)
$(B)/rel/bench/%: $(B)/rel/bench/%.o $(rel_ARCHIVES)
	@mkdir -p $(@D)
	$(CC_rel) $(LDFLAGS_rel) -o $@ $< $(rel_LINK)
$(B)/fuzz/fuzzers/%: $(B)/fuzz/tests/fuzz/%.o $(fuzz_ARCHIVES)
	@mkdir -p $(@D)
	$(CC_fuzz) $(LDFLAGS_fuzz) -o $@ $< $(fuzz_LINK)

asan: $(B)/asan/bin/$(AGENT_BIN) $(B)/asan/bin/$(CLI_BIN) $(UNIT_BINS) $(TOOL_BINS)
fuzz: $(FUZZ_BINS)
bench-bins: all $(BENCH_BINS)

-include $(shell find $(B) -path '$(B)/deb' -prune -o -name '*.d' -type f -print 2>/dev/null)

deps:
	scripts/install-deps.sh all

# ---- tests ----------------------------------------------------------------
# Each suite is a script; scripts/run-suite.sh runs it with a header and a
# verdict line, and `make check` ends with "N passed, N failed" over suites.
check:
	@scripts/check-all.sh

check-unit: asan
	@scripts/run-unit.sh $(B)/asan/tests

check-fuzz: fuzz
	@scripts/run-fuzz.sh $(B)/fuzz/fuzzers $${FUZZ_SECONDS:-3}

check-netns: all asan
	@scripts/run-suite.sh tests/netns/run.sh

check-ops: all
	@scripts/run-suite.sh tests/ops/run.sh

check-driver: all
	@scripts/run-suite.sh tests/driver/run.sh

check-agent: all asan
	@scripts/run-suite.sh tests/agent/run.sh

check-e2e: all
	@scripts/run-suite.sh tests/e2e/run.sh

check-l3: all
	@scripts/run-suite.sh tests/l3/run.sh

check-ovn: all
	@scripts/run-suite.sh tests/ovn/run.sh

check-kernel: all
	@scripts/run-suite.sh tests/kernel/run.sh

# Onboarding: the `openstack wireguard` plugin (+ golden configs vs both
# renderers), IPv6 inner/outer, root-namespace mode. One harness instance
# (NWG_INSTANCE=onb, headers auth) shared when it is already up.
check-osc: all
	@scripts/run-suite.sh tests/osc/run.sh

check-ipv6: all
	@scripts/run-suite.sh tests/ipv6/run.sh

check-rootns: all
	@scripts/run-suite.sh tests/rootns/run.sh

.PHONY: check-osc check-ipv6 check-rootns

check-dashboard: all
	@scripts/run-suite.sh tests/dashboard/run.sh

# Multi-node (simulated nodes, ML2/OVS netdev + VXLAN, L3 agent): check-ovs runs
# the L3-on-OVS phase only; check-multinode runs it, the HA phase (two agents
# build one HA hub), the HA failover phase (the agents run VRRP and the
# endpoint stream; two real crashes) and the placement/node-loss phases on one shared start-up
# (what `make check` runs).
check-ovs: all
	@scripts/run-suite.sh tests/multinode/run.sh ovs

check-multinode: all
	@scripts/run-suite.sh tests/multinode/run.sh ovs ha ha-failover multinode

# HA hub (doc/ha.md): check-ha = one failover (in make check); bench-ha = >= 10
# failovers and the device-driven baseline side by side (not in make check).
check-ha: all
	@scripts/run-suite.sh tests/ha/run.sh

bench-ha: all
	@bench/bench-ha.sh

# The agent-driven takeover (doc/ha.md section 7): >= 10 failovers with two
# real agents on the multi-node harness, the device-driven baseline beside.
bench-ha-agent: all
	@scripts/run-suite.sh tests/multinode/run.sh ha-bench

.PHONY: check-ha bench-ha bench-ha-agent

bench: bench-bins
	@scripts/run-suite.sh bench/run.sh

bench-ports:
	@bench/bench-ports.sh

# bulk POST of 100 spokes: Neutron alone vs with our drivers (doc/driver.md)
bench-bulk:
	@bench/bench-bulk.sh
.PHONY: bench-bulk

bench-scale: bench-bins asan
	@scripts/run-suite.sh bench/scale-run.sh

# The engine's share of one spoke change (offline, no root) vs a baseline.
bench-plan: bench-bins
	@bench/plan-run.sh
.PHONY: bench-plan

bench-kernel: all
	@BENCH_KERNEL=1 bench/bench-kernel.sh

neutron-up:
	scripts/neutron-harness.sh start

neutron-down:
	scripts/neutron-harness.sh stop

# No prerequisite: demo.sh installs the packages (install-deps.sh all) and
# only then builds, so `make demo` works on a machine where nothing is installed.
demo:
	scripts/demo.sh up

demo-down:
	scripts/demo.sh down

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

lint:
	clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr --suppress=missingIncludeSystem -Ilib/include -Ilib -Iagent -Icli lib agent cli
	shellcheck -x devstack/plugin.sh devstack/settings devstack/gate-check.sh $$(git ls-files 'tests/ops/*.sh' 'tests/deb/*.sh' 'tests/devstack/*.sh')
	shellcheck -x $$(git ls-files 'tests/ha/*.sh' 'bench/bench-ha.sh')
	shellcheck -x -S warning $$(git ls-files '*.sh')
	/usr/bin/python3 -m flake8
	scripts/check-engine-reads.sh

clean:
	rm -rf $(B)

# ---- install ----------------------------------------------------------------
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
DESTDIR    ?=

# install-bin: the C programs, the systemd unit and the sample config;
# install: also the Python package (driver, L3 extension) into Debian's Python.
install-bin: install-check all
	install -d -m 0755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR)
	install -m 0755 $(B)/rel/bin/$(AGENT_BIN) $(B)/rel/bin/$(CLI_BIN) $(DESTDIR)$(BINDIR)/
	sed 's|@BINDIR@|$(BINDIR)|g' etc/systemd/neutron-wireguard-agent.service.in \
		> $(DESTDIR)$(UNITDIR)/neutron-wireguard-agent.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/neutron-wireguard-agent.service
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/neutron/plugins/wireguard
	install -m 0644 etc/wireguard_agent.ini.sample \
		$(DESTDIR)$(SYSCONFDIR)/neutron/plugins/wireguard/wireguard_agent.ini.sample

# Where /usr/bin/python3 looks for packages under $(PREFIX): Debian's own
# dist-packages for /usr, <prefix>/lib/python3.X/dist-packages otherwise (on
# sys.path for /usr/local). pip --target writes exactly there, whatever
# Debian's pip scheme would add (its posix_local scheme turns --prefix=/usr/local
# into /usr/local/local/...).
PYTHON     ?= /usr/bin/python3
PYTHONDIR  ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/python3/dist-packages,$(PREFIX)/lib/python$(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')/dist-packages)

# Refuses, before anything is written, a destination that is not writable.
install-check:
	@d="$(DESTDIR)$(PREFIX)"; while [ ! -e "$$d" ]; do d=$$(dirname "$$d"); done; \
	if [ ! -w "$$d" ]; then echo "make install: $$d is not writable (PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)); nothing installed" >&2; exit 1; fi; \
	d="$(DESTDIR)$(SYSCONFDIR)"; while [ ! -e "$$d" ]; do d=$$(dirname "$$d"); done; \
	if [ ! -w "$$d" ]; then echo "make install: $$d is not writable (SYSCONFDIR=$(SYSCONFDIR)); nothing installed" >&2; exit 1; fi

install: install-check install-bin
	install -d -m 0755 $(DESTDIR)$(PYTHONDIR)
	$(PYTHON) -m pip install --quiet --root-user-action=ignore --break-system-packages --no-index --no-build-isolation \
		--no-deps --no-compile --upgrade --target=$(DESTDIR)$(PYTHONDIR) .
	rm -rf build/lib build/bdist.*
	@case ":$$($(PYTHON) -c 'import sys; print(":".join(sys.path))'):" in \
	*":$(PYTHONDIR):"*) ;; \
	*) echo "make install: note: $(PYTHONDIR) is not on $(PYTHON)'s sys.path; add it to PYTHONPATH" >&2 ;; \
	esac

.PHONY: install install-bin install-check check-ops

# ---- Debian packages --------------------------------------------------------
# make deb: neutron-wireguard-agent and python3-networking-wireguard (.deb) in
# $(B)/deb/, built by dpkg-buildpackage from a copy of the tree (the tracked
# and new files), so nothing is written outside $(B). lintian runs on the result.
DEBOUT := $(B)/deb
deb:
	@for t in dpkg-buildpackage dh dh_python3 lintian; do command -v $$t >/dev/null || \
		{ echo "make deb: $$t missing (scripts/install-deps.sh pkg)" >&2; exit 1; }; done
	rm -rf $(DEBOUT) && mkdir -p $(DEBOUT)/src
	git ls-files -z -co --exclude-standard | xargs -0 tar -cf - | tar -xf - -C $(DEBOUT)/src
	cd $(DEBOUT)/src && dpkg-buildpackage -b -us -uc -j2 >../build.log 2>&1 || \
		{ tail -40 ../build.log; exit 1; }
	lintian --fail-on error,warning $(DEBOUT)/*.changes >$(DEBOUT)/lintian.log 2>&1; rc=$$?; \
		grep -v 'root privileges' $(DEBOUT)/lintian.log; \
		[ $$rc = 0 ] || { echo "make deb: lintian found problems" >&2; exit 1; }
	@ls -1 $(DEBOUT)/*.deb

check-deb:
	@scripts/run-suite.sh tests/deb/run.sh

check-devstack:
	@scripts/run-suite.sh tests/devstack/run.sh

.PHONY: deb check-deb check-devstack
