# c.mk: build, test and fuzz rules for all C code of the project.
#
# Included by the top-level Makefile (`include c.mk`) and run from the
# repository's top folder; usable alone as `make -f c.mk c-build c-test`.
#
# Targets
#   c-build        libraries and programs: build/lib/lib<module>.a, build/bin/<program>
#   c-test         every cmocka unit test, built with ASan + UBSan, all run; fails if any fails
#   c-fuzz         every libFuzzer target (clang), each run FUZZ_SECONDS on a copy of its corpus
#   c-integration  integration tests against the real servers (Cassandra on FEED_CASSANDRA_PORT)
#   c-clean        remove what these rules built
#   c-test-<m>, c-integration-<m>   one module's tests;  c-fuzz-<fuzzer>   one fuzzer
#   build/san/bin/<dir>/tests/test_x   one unit test program (logs land beside it, .log)
#
# Variables (override on the command line or before the include)
#   CC (gcc)  FUZZ_CC (clang-14)  CFLAGS  CPPFLAGS  LDFLAGS  C_OPT (-O2 -g)
#   C_WARN  FUZZ_SECONDS (20)  FUZZ_FLAGS (extra libFuzzer flags)  V=1 (show commands)
#
# Modules. Each folder of C code has a module.mk, listed in
# C_MODULE_MAKEFILES, which appends its name m to C_MODULES and sets:
#   m_SRCS         library sources, archived into build/lib/libm.a
#   m_DEPS         modules whose libraries m uses, in link order (list them all)
#   m_PKGS         pkg-config packages (their cflags for compiling, libs for linking)
#   m_TEST_PKGS    more pkg-config packages for m's tests only (cmocka is always there)
#   m_LDLIBS       other link flags, e.g. -lm
#   m_BINS         programs; program p has p_SRCS (its main) and is linked with
#                  libm.a and the deps into build/bin/p
#   m_TESTS        cmocka tests, <dir>/tests/test_<file>.c, one per source file;
#                  each is linked with libm (sanitised) and m_TEST_SRCS
#   m_TEST_SRCS    helpers linked into each of m's tests and integration tests
#                  (never test programs themselves, even if named test_*.c)
#   m_FUZZERS      libFuzzer targets <dir>/fuzz/fuzz_m_<name>.c (or fuzz_<name>.c), each
#                  fuzzed on the seeds in <dir>/fuzz/corpus/<name>/ (never written to)
#   m_INTEGRATION  integration test programs, built like unit tests, run by c-integration
# A new module is one module.mk plus one line here.

C_MODULE_MAKEFILES += lib/http_client/module.mk
C_MODULE_MAKEFILES += cql/module.mk tools/common/module.mk tools/feed-cql/module.mk tests/e2e/module.mk
C_MODULE_MAKEFILES += schema/redis/module.mk
C_MODULE_MAKEFILES += api/module.mk
C_MODULE_MAKEFILES += tools/chaos/module.mk
C_MODULE_MAKEFILES += tools/feedcheck/module.mk
C_MODULE_MAKEFILES += tools/logpipe/module.mk
C_MODULE_MAKEFILES += bench/module.mk

# Keep the including Makefile's default goal: nothing here should become
# the target of a bare `make`.
c_saved_default_goal := $(.DEFAULT_GOAL)

ifeq ($(origin CC),default)
CC := gcc
endif
FUZZ_CC ?= clang-14
AR ?= ar
C_BUILD ?= build
FUZZ_SECONDS ?= 20
FUZZ_FLAGS ?=

C_STD := -std=c17 -D_GNU_SOURCE
C_WARN ?= -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wundef
C_OPT ?= -O2 -g
C_SAN_OPT ?= -O1 -g
C_DEPFLAGS = -MMD -MP
C_INCLUDES := -I.
C_SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
C_FUZZ_COMPILE := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
C_FUZZ_LINK := -fsanitize=fuzzer,address,undefined
C_TEST_ENV := UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=0

ifeq ($(V),1)
c_q :=
else
c_q := @
endif

C_MODULES :=
include $(C_MODULE_MAKEFILES)

# --- helpers --------------------------------------------------------------

# c_obj(variant, sources): object paths; variant is empty, san/ or fuzz/
c_obj = $(patsubst %.c,$(C_BUILD)/$(1)obj/%.o,$(2))
# c_lib(variant, module)
c_lib = $(C_BUILD)/$(1)lib/lib$(2).a
# pkg-config is asked from recipes only, never while make reads this file:
# on a bare machine `make run` must parse before it installs the libraries.
# stack/pkg-flags writes a package list's flags into build/pkg/<key>.cflags
# and .libs (key: the sorted list joined by '+'), failing with the Debian
# package to install; compile and link recipes read those files with
# $(file <...), and list them as order-only prerequisites.
c_pkg_key = $(or $(subst $(c_space),+,$(sort $(1))),none)
c_space := $(subst ,, )
# c_pkg_file(packages, ext): the flags file of a package list
c_pkg_file = $(C_BUILD)/pkg/$(call c_pkg_key,$(1)).$(2)
# c_fuzz_name(module, fuzzer source): fuzz_cql_frame.c -> frame
c_fuzz_name = $(patsubst $(1)_%,%,$(patsubst fuzz_%,%,$(basename $(notdir $(2)))))


$(C_BUILD)/pkg/%.cflags $(C_BUILD)/pkg/%.libs:
	$(c_q)stack/pkg-flags $(C_BUILD)/pkg/$*.cflags $(C_BUILD)/pkg/$*.libs $(filter-out none,$(subst +, ,$*))

# --- compile rules, one per variant ---------------------------------------

$(C_BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(c_q),echo "  CC      $<")
	$(c_q)$(CC) $(C_STD) $(C_WARN) $(C_OPT) $(CFLAGS) $(C_INCLUDES) $(CPPFLAGS) $(c_mod_cflags) $(C_DEPFLAGS) -c $< -o $@

$(C_BUILD)/san/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(c_q),echo "  CC san  $<")
	$(c_q)$(CC) $(C_STD) $(C_WARN) $(C_SAN_OPT) $(C_SANITIZE) $(CFLAGS) $(C_INCLUDES) $(CPPFLAGS) $(c_mod_cflags) $(C_DEPFLAGS) -c $< -o $@

$(C_BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(c_q),echo "  CC fuzz $<")
	$(c_q)$(FUZZ_CC) $(C_STD) $(C_WARN) $(C_SAN_OPT) $(C_FUZZ_COMPILE) $(CFLAGS) $(C_INCLUDES) $(CPPFLAGS) $(c_mod_cflags) $(C_DEPFLAGS) -c $< -o $@

c_archive = $(c_q)mkdir -p $(@D) && rm -f $@ && $(if $(c_q),echo "  AR      $@" &&) $(AR) rcs $@ $^

# --- per-module rules -----------------------------------------------------

# c_module_rules(m): libraries of all variants, compile flags of m's
# objects, then the rules of its programs, tests and fuzzers.
define c_module_rules
$(1)_TESTS := $$(filter-out $$($(1)_TEST_SRCS),$$($(1)_TESTS))
$(1)_ALL_PKGS := $$(strip $$($(1)_PKGS) $$(foreach d,$$($(1)_DEPS),$$($$(d)_PKGS)))
$(1)_PKG_CFLAGS_FILE := $$(call c_pkg_file,$$($(1)_ALL_PKGS),cflags)
$(1)_PKG_LIBS_FILE := $$(call c_pkg_file,$$($(1)_ALL_PKGS),libs)
$(1)_PKG_CFLAGS = $$(file <$$($(1)_PKG_CFLAGS_FILE))
$(1)_TEST_PKG_CFLAGS_FILE := $$(call c_pkg_file,cmocka $$($(1)_TEST_PKGS),cflags)
$(1)_TEST_PKG_LIBS_FILE := $$(call c_pkg_file,cmocka $$($(1)_TEST_PKGS),libs)
$(1)_LINK = $$(file <$$($(1)_PKG_LIBS_FILE)) $$($(1)_LDLIBS) $$(foreach d,$$($(1)_DEPS),$$($$(d)_LDLIBS))
$(1)_LIBS_OF = $$(foreach m,$(1) $$($(1)_DEPS),$$(if $$($$(m)_HAS_LIB),$$(call c_lib,$$(1),$$(m))))
$(1)_OWN_SRCS := $$($(1)_SRCS) $$(foreach p,$$($(1)_BINS),$$($$(p)_SRCS)) $$($(1)_TEST_SRCS)

$$(call c_obj,,$$($(1)_OWN_SRCS)) $$(call c_obj,san/,$$($(1)_OWN_SRCS)) \
    $$(call c_obj,fuzz/,$$($(1)_OWN_SRCS) $$($(1)_FUZZERS)): private c_mod_cflags = $$($(1)_PKG_CFLAGS)
$$(call c_obj,san/,$$($(1)_TESTS) $$($(1)_TEST_SRCS) $$($(1)_INTEGRATION)): \
    private c_mod_cflags = $$($(1)_PKG_CFLAGS) $$(file <$$($(1)_TEST_PKG_CFLAGS_FILE))
$$(call c_obj,,$$($(1)_OWN_SRCS)) $$(call c_obj,san/,$$($(1)_OWN_SRCS) $$($(1)_TESTS) $$($(1)_INTEGRATION)) \
    $$(call c_obj,fuzz/,$$($(1)_OWN_SRCS) $$($(1)_FUZZERS)): | $$($(1)_PKG_CFLAGS_FILE)
$$(call c_obj,san/,$$($(1)_TESTS) $$($(1)_TEST_SRCS) $$($(1)_INTEGRATION)): | $$($(1)_TEST_PKG_CFLAGS_FILE)

$$(call c_lib,,$(1)): $$(call c_obj,,$$($(1)_SRCS))
	$$(c_archive)
$$(call c_lib,san/,$(1)): $$(call c_obj,san/,$$($(1)_SRCS))
	$$(c_archive)
$$(call c_lib,fuzz/,$(1)): $$(call c_obj,fuzz/,$$($(1)_SRCS))
	$$(c_archive)

C_LIBS += $$(if $$($(1)_HAS_LIB),$$(call c_lib,,$(1)))
C_ALL_SRCS += $$($(1)_OWN_SRCS) $$($(1)_TESTS) $$($(1)_FUZZERS) $$($(1)_INTEGRATION)
$$(foreach p,$$($(1)_BINS),$$(eval $$(call c_bin_rules,$(1),$$(p))))
$$(foreach t,$$($(1)_TESTS),$$(eval $$(call c_test_rules,$(1),$$(t),$(1)_TEST_BINS)))
$$(foreach t,$$($(1)_INTEGRATION),$$(eval $$(call c_test_rules,$(1),$$(t),$(1)_INTEGRATION_BINS)))
$$(foreach f,$$($(1)_FUZZERS),$$(eval $$(call c_fuzz_rules,$(1),$$(f))))
C_TEST_BINS += $$($(1)_TEST_BINS)
C_INTEGRATION_BINS += $$($(1)_INTEGRATION_BINS)

# one module's tests alone: c-test-<m>, c-integration-<m>
.PHONY: c-test-$(1) c-integration-$(1)
c-test-$(1): $$($(1)_TEST_BINS)
	$$(c_q)$$(call c_run_tests,$$^)
c-integration-$(1): $$(filter-out $$(C_INTEGRATION_QUARANTINE),$$($(1)_INTEGRATION_BINS))
	$$(c_q)$$(call c_run_tests,$$^)
endef

# c_bin_rules(m, program)
define c_bin_rules
$(C_BUILD)/bin/$(2): $$(call c_obj,,$$($(2)_SRCS)) $$(call $(1)_LIBS_OF,) | $$($(1)_PKG_LIBS_FILE)
	@mkdir -p $$(@D)
	@$$(if $$(c_q),echo "  LD      $$@")
	$$(c_q)$$(CC) $$(C_OPT) $$(LDFLAGS) -o $$@ $$^ $$($(1)_LINK)
C_BINS += $(C_BUILD)/bin/$(2)
endef

# c_test_rules(m, test source, list to join): sanitised cmocka program
define c_test_rules
$(C_BUILD)/san/bin/$(basename $(2)): $$(call c_obj,san/,$(2) $$($(1)_TEST_SRCS)) $$(call $(1)_LIBS_OF,san/) \
    | $$($(1)_PKG_LIBS_FILE) $$($(1)_TEST_PKG_LIBS_FILE)
	@mkdir -p $$(@D)
	@$$(if $$(c_q),echo "  LD san  $$@")
	$$(c_q)$$(CC) $$(C_SAN_OPT) $$(C_SANITIZE) $$(LDFLAGS) -o $$@ $$^ $$($(1)_LINK) $$(file <$$($(1)_TEST_PKG_LIBS_FILE))
$(3) += $(C_BUILD)/san/bin/$(basename $(2))
endef

# c_fuzz_rules(m, fuzzer source): program, and c-fuzz-<name> that runs it
# on a copy of the corpus in build/ so that new inputs never land in the repo.
define c_fuzz_rules
$(C_BUILD)/fuzz/bin/$(basename $(notdir $(2))): $$(call c_obj,fuzz/,$(2)) $$(call $(1)_LIBS_OF,fuzz/) | $$($(1)_PKG_LIBS_FILE)
	@mkdir -p $$(@D)
	@$$(if $$(c_q),echo "  LD fuzz $$@")
	$$(c_q)$$(FUZZ_CC) $$(C_SAN_OPT) $$(C_FUZZ_LINK) $$(LDFLAGS) -o $$@ $$^ $$($(1)_LINK)

.PHONY: c-fuzz-$(basename $(notdir $(2)))
c-fuzz-$(basename $(notdir $(2))): $(C_BUILD)/fuzz/bin/$(basename $(notdir $(2)))
	$$(c_q)$$(call c_fuzz_run,$$<,$(dir $(2))corpus/$(call c_fuzz_name,$(1),$(2)),$(C_BUILD)/fuzz/work/$(basename $(notdir $(2))))
C_FUZZ_RUNS += c-fuzz-$(basename $(notdir $(2)))
C_FUZZ_BINS += $(C_BUILD)/fuzz/bin/$(basename $(notdir $(2)))
endef

# c_fuzz_run(program, seed corpus, work folder): fuzz for FUZZ_SECONDS;
# on a crash, print the end of the log and where the input was saved.
c_fuzz_run = mkdir -p $(3) $(C_BUILD)/fuzz/artifacts && \
    if [ -d $(2) ]; then cp -R $(2)/. $(3)/; fi && \
    echo "  FUZZ    $(notdir $(1)) for $(FUZZ_SECONDS)s (corpus $(2), work $(3))" && \
    if $(C_TEST_ENV) $(1) -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix=$(C_BUILD)/fuzz/artifacts/$(notdir $(1))- $(FUZZ_FLAGS) \
        $(3) >$(3).log 2>&1; then \
      grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)|cov:' $(3).log | tail -n 4 | sed 's/^/          /'; \
    else tail -n 40 $(3).log; echo "c-fuzz: $(notdir $(1)) failed; see $(3).log and $(C_BUILD)/fuzz/artifacts/"; exit 1; fi

C_LIBS :=
C_BINS :=
C_TEST_BINS :=
C_INTEGRATION_BINS :=
C_FUZZ_RUNS :=
C_FUZZ_BINS :=
C_ALL_SRCS :=
# A module without m_SRCS (only tests, say) has no library to link.
$(foreach m,$(C_MODULES),$(eval $(m)_HAS_LIB := $(if $(strip $($(m)_SRCS)),yes)))
$(foreach m,$(C_MODULES),$(eval $(call c_module_rules,$(m))))

# c_run_tests(programs): run each, report, fail at the end if any failed
c_run_tests = failed=0; total=0; \
    for t in $(1); do \
      if $(C_TEST_ENV) $$t >$$t.log 2>&1; then \
        n=$$(grep -o '\[  PASSED  \] [0-9]*' $$t.log | tail -n 1 | grep -o '[0-9]*$$'); total=$$((total + $${n:-0})); \
        echo "  PASS    $$t ($${n:-?} tests)"; \
      else echo "  FAIL    $$t"; sed 's/^/          /' $$t.log; failed=$$((failed + 1)); fi; \
    done; \
    echo "  $$total tests passed in $(words $(1)) programs, $$failed programs failed"; \
    [ $$failed -eq 0 ]

# --- top-level targets ----------------------------------------------------

.PHONY: c-build c-test c-fuzz c-integration c-clean c-test-build c-fuzz-build

c-build: $(C_LIBS) $(C_BINS)

c-test-build: $(C_TEST_BINS)

c-test: c-test-build
	$(c_q)$(call c_run_tests,$(C_TEST_BINS))

c-fuzz-build: $(C_FUZZ_BINS)

c-fuzz: $(C_FUZZ_RUNS)

# The programs read the servers' addresses from the environment (FEED_*,
# stack/config.env); variables given on make's command line reach them too.
c-integration: $(C_INTEGRATION_BINS) $(C_BINS)
	$(c_q)$(call c_run_tests,$(filter-out $(C_INTEGRATION_QUARANTINE),$(C_INTEGRATION_BINS)))

# Integration programs known to fail now and then, listed by their module
# (C_INTEGRATION_QUARANTINE) with the reason beside them: built and run by
# c-integration-quarantined, not by c-integration nor c-integration-<m>
# (so not by make test) until their cause is fixed.
.PHONY: c-integration-quarantined
c-integration-quarantined: $(C_INTEGRATION_QUARANTINE) $(C_BINS)
	$(c_q)$(call c_run_tests,$(C_INTEGRATION_QUARANTINE))

c-clean:
	rm -rf $(C_BUILD)/obj $(C_BUILD)/san $(C_BUILD)/fuzz $(C_BUILD)/pkg $(C_LIBS) $(C_BINS)

-include $(patsubst %.c,$(C_BUILD)/obj/%.d,$(C_ALL_SRCS)) \
         $(patsubst %.c,$(C_BUILD)/san/obj/%.d,$(C_ALL_SRCS)) \
         $(patsubst %.c,$(C_BUILD)/fuzz/obj/%.d,$(C_ALL_SRCS))

# Standalone use (make -f c.mk) builds; included, the includer decides.
ifeq ($(firstword $(MAKEFILE_LIST)),c.mk)
.DEFAULT_GOAL := c-build
else
.DEFAULT_GOAL := $(c_saved_default_goal)
endif
