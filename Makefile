# camwatch build. `make` builds; `make demo` and `make test` first install
# what they need (make deps), so each works alone on a fresh Debian 12.
# `make asan test` runs the tests on an AddressSanitizer+UBSan build.

CC      ?= cc
PKGS    := libavformat libavcodec libavutil libswscale freetype2 libuv sqlite3 yaml-0.1 jansson libmicrohttpd libcurl libsystemd libsodium zlib libpq libzip gnutls libxml-2.0
GSTPKGS := gstreamer-rtsp-server-1.0 gstreamer-app-1.0 gstreamer-1.0
# the report's document formats, in the camwatch CLI only (never camwatchd); libzip is
# in PKGS: camwatchd writes a person's archive (privacy.c) for the console; libxml2 and
# gnutls (libmicrohttpd's TLS) read ONVIF answers and make their digests (inventory.c)
DOCPKGS := pangocairo cairo-pdf fontconfig libxml-2.0

ifneq ($(filter asan,$(MAKECMDGOALS)),)
BUILD   := build-asan
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD   := build
SANFLAGS :=
endif

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-missing-field-initializers
CFLAGS  ?= -O2 -g
VERSION ?= 0.4.0
CFLAGS  += -std=gnu11 $(WARN) $(SANFLAGS) -D_GNU_SOURCE -DCW_VERSION='"$(VERSION)"'
LDFLAGS += $(SANFLAGS)

pc_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pc_libs   = $(shell pkg-config --libs $(1) 2>/dev/null)

# Everything but main.c goes into a static library that the daemon, the CLI
# and the unit tests link.
LIB_SRC := daemon/error.c daemon/clock.c daemon/redact.c daemon/log.c daemon/config.c \
           daemon/store.c daemon/camstate.c daemon/ingest.c daemon/probe.c daemon/maintenance.c daemon/names.c daemon/words.c daemon/camera.c daemon/daemon.c \
           daemon/report.c daemon/report_feed.c daemon/report_fmt.c daemon/plugin.c daemon/events.c daemon/snapshot.c daemon/analysis.c daemon/live.c daemon/http.c \
           daemon/httpc.c daemon/push.c daemon/writer.c daemon/records.c daemon/snapdir.c daemon/alert_policy.c daemon/outbox.c daemon/verdict.c daemon/selfwatch.c daemon/auth.c daemon/api.c daemon/console.c \
           daemon/report_render.c daemon/report_columns.c daemon/report_text.c daemon/report_csv.c daemon/report_json.c daemon/report_html.c \
           daemon/report_narrative.c daemon/console_report.c daemon/upstream.c daemon/shipper.c daemon/digest.c daemon/retention.c daemon/privacy.c daemon/inventory.c
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/daemon/openapi.o $(BUILD)/daemon/web_assets.o $(BUILD)/daemon/upstream_sql.o
WEB_FILES := daemon/web/index.html daemon/web/app.js daemon/web/app.css
LIB     := $(BUILD)/libcamwatch.a
LIBS    := $(call pc_libs,$(PKGS)) -ldl -lpthread -lm

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
.SECONDARY: $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%.o)

# Detection plugins: shared objects that export only their descriptor.
PLUGIN_SRC := $(wildcard plugins/*.c)
PLUGINS    := $(PLUGIN_SRC:plugins/%.c=$(BUILD)/plugins/%.so)
TOY_PLUGINS := $(patsubst tests/plugins/%.c,$(BUILD)/tests/plugins/%.so,$(wildcard tests/plugins/*.c))

BINS := $(BUILD)/camwatchd $(BUILD)/camwatch $(BUILD)/camsim $(PLUGINS) $(TOY_PLUGINS) $(BUILD)/tests/receiver \
        $(BUILD)/bench_store

.PHONY: all bins deps deps-run media media-demo test check demo asan clean bench install fuzz soak memcheck

PREFIX  ?= /usr/local
DESTDIR ?=
all: $(BINS) $(UNIT_BIN)

# camwatch itself, its plugins and camsim: what `make demo` and `make
# install` need (no cmocka, no test fixtures).
bins: $(BUILD)/camwatchd $(BUILD)/camwatch $(BUILD)/camsim $(PLUGINS)

asan: all
	@echo "sanitizer build in $(BUILD)/"

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(call pc_cflags,$(PKGS)) -MMD -MP -c $< -o $@

# The OpenAPI document, compiled into the daemon as one C string (served
# at /api/v1/openapi.json; nothing to install or find at run time).
$(BUILD)/daemon/openapi.c: daemon/openapi.json
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	@{ echo '/* generated from daemon/openapi.json by make */'; echo 'const char cw_openapi_json[] ='; \
	  sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$$/\\n"/' $<; echo ';'; } > $@

$(BUILD)/daemon/openapi.o: $(BUILD)/daemon/openapi.c
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c $< -o $@

# The province's central schema, compiled in the same way (`camwatch
# upstream init` applies it).
$(BUILD)/daemon/upstream_sql.c: daemon/upstream.sql
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	@{ echo '/* generated from daemon/upstream.sql by make */'; echo 'const char cw_upstream_sql[] ='; \
	  sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$$/\\n"/' $<; echo ';'; } > $@

$(BUILD)/daemon/upstream_sql.o: $(BUILD)/daemon/upstream_sql.c
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c $< -o $@

# The console's page, script and stylesheet, compiled in the same way.
$(BUILD)/daemon/web_assets.c: $(WEB_FILES) scripts/embed-web.sh
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	@scripts/embed-web.sh $@ $(WEB_FILES)

$(BUILD)/daemon/web_assets.o: $(BUILD)/daemon/web_assets.c daemon/web.h
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@ar rcs $@ $^

$(BUILD)/camwatchd: $(BUILD)/daemon/main.o $(LIB)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tools/report_pdf.o $(BUILD)/tools/report_odt.o: $(BUILD)/tools/%.o: tools/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(call pc_cflags,$(DOCPKGS)) -MMD -MP -c $< -o $@

$(BUILD)/camwatch: $(BUILD)/tools/camwatch.o $(BUILD)/tools/cli.o $(BUILD)/tools/status_cli.o $(BUILD)/tools/report_pdf.o $(BUILD)/tools/report_odt.o $(BUILD)/tools/report_cli.o $(BUILD)/tools/genhistory.o $(BUILD)/tools/analyze.o $(BUILD)/tools/events_cli.o $(BUILD)/tools/alerts_cli.o $(BUILD)/tools/maintenance_cli.o $(BUILD)/tools/ack_cli.o $(BUILD)/tools/passwd_cli.o $(BUILD)/tools/audit_cli.o $(BUILD)/tools/privacy_cli.o $(BUILD)/tools/inventory_cli.o $(BUILD)/tools/upstream_cli.o $(BUILD)/tools/upstream_check.o $(BUILD)/tools/pgread.o $(LIB)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(call pc_libs,$(DOCPKGS))

$(BUILD)/tools/camsim.o: tools/camsim.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(call pc_cflags,$(GSTPKGS)) -Wno-error=deprecated-declarations -MMD -MP -c $< -o $@

$(BUILD)/camsim: $(BUILD)/tools/camsim.o
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(GSTPKGS)) -lm

# The plugins' per-pixel loops are written for the auto-vectoriser, but
# GCC 12 at -O2 uses its "very cheap" cost model, which vectorises no loop
# whose trip count it does not know (-fopt-info-vec: 0 loops in motion.c;
# with the dynamic model 18). Same results bit for bit (no float
# reassociation); motion's 3x3 opening went from 50 to 5 instructions per
# pixel (tests/bench/motion_cost.sh). A compiler without the option builds
# them as before. The host's one per-pixel loop, scaling the luma down
# (daemon/analysis.c), gets it too: 24 -> 2 instructions per output pixel.
PLUGIN_VEC := $(shell $(CC) -fvect-cost-model=dynamic -E -x c /dev/null > /dev/null 2>&1 && echo -fvect-cost-model=dynamic)
$(BUILD)/daemon/analysis.o: CFLAGS += $(PLUGIN_VEC)

$(BUILD)/plugins/%.so: plugins/%.c plugins/camwatch_plugin.h
	@mkdir -p $(dir $@)
	@echo "  PLUGIN  $@"
	@$(CC) $(CFLAGS) $(PLUGIN_VEC) -fPIC -shared -fvisibility=hidden -o $@ $< $(LDFLAGS) -lm

$(BUILD)/tests/plugins/%.so: tests/plugins/%.c plugins/camwatch_plugin.h
	@mkdir -p $(dir $@)
	@echo "  PLUGIN  $@"
	@$(CC) $(CFLAGS) -fPIC -shared -fvisibility=hidden -o $@ $< $(LDFLAGS)

$(BUILD)/tests/receiver: $(BUILD)/tests/tools/receiver.o
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,libmicrohttpd jansson)

$(BUILD)/bench_store: $(BUILD)/tests/bench/bench_store.o $(LIB)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) -lcmocka

deps:
	@scripts/deps.sh

# only what building, running and the demo need
deps-run:
	@scripts/deps.sh run

media: deps
	@scripts/media.sh

media-demo: deps-run
	@scripts/media.sh demo

# The two commands of the README.
test: deps media
	@$(MAKE) --no-print-directory all BUILD=$(BUILD) SANFLAGS="$(SANFLAGS)"
	@BUILD=$(BUILD) tests/run.sh

# The quick lane for the edit-compile-test loop: the unit tests (the alert
# rules among them) and the integration tests tests/quick.list names, a
# few minutes in all. `make test` stays the whole suite.
check: deps media
	@$(MAKE) --no-print-directory all BUILD=$(BUILD) SANFLAGS="$(SANFLAGS)"
	@BUILD=$(BUILD) TEST_QUICK=1 tests/run.sh

demo: deps-run media-demo
	@$(MAKE) --no-print-directory bins
	@scripts/demo.sh

# Binaries, plugins, the systemd unit with its sysusers.d and tmpfiles.d
# files, man pages, the Prometheus rules and an example config under
# PREFIX (the config goes to /etc/camwatch only if none is there). Without
# DESTDIR, as root, it also creates the camwatch user and applies the
# tmpfiles (state directory, the config readable by the service).
install: bins
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/camwatch/plugins \
	  $(DESTDIR)$(PREFIX)/lib/systemd/system $(DESTDIR)$(PREFIX)/lib/sysusers.d $(DESTDIR)$(PREFIX)/lib/tmpfiles.d \
	  $(DESTDIR)$(PREFIX)/share/doc/camwatch $(DESTDIR)$(PREFIX)/share/camwatch/prometheus/tests \
	  $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)/etc/camwatch
	install -m 755 $(BUILD)/camwatchd $(BUILD)/camwatch $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(PLUGINS) $(DESTDIR)$(PREFIX)/lib/camwatch/plugins/
	sed 's|@PREFIX@|$(PREFIX)|g' config/camwatchd.service > $(DESTDIR)$(PREFIX)/lib/systemd/system/camwatchd.service
	install -m 644 config/camwatch.sysusers.conf $(DESTDIR)$(PREFIX)/lib/sysusers.d/camwatch.conf
	install -m 644 config/camwatch.tmpfiles.conf $(DESTDIR)$(PREFIX)/lib/tmpfiles.d/camwatch.conf
	install -m 644 man/camwatch.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/camwatchd.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 644 config/prometheus/camwatch-rules.yml $(DESTDIR)$(PREFIX)/share/camwatch/prometheus/
	install -m 644 config/prometheus/tests/camwatch-rules.test.yml $(DESTDIR)$(PREFIX)/share/camwatch/prometheus/tests/
	install -m 644 README.md config/camwatch.example.yaml $(DESTDIR)$(PREFIX)/share/doc/camwatch/
	sed 's|/usr/lib/camwatch/plugins|$(PREFIX)/lib/camwatch/plugins|' config/camwatch.example.yaml \
	  > $(DESTDIR)$(PREFIX)/share/doc/camwatch/camwatch.yaml.installed
	[ -e $(DESTDIR)/etc/camwatch/camwatch.yaml ] || install -m 640 \
	  $(DESTDIR)$(PREFIX)/share/doc/camwatch/camwatch.yaml.installed $(DESTDIR)/etc/camwatch/camwatch.yaml
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v systemd-sysusers > /dev/null; then \
	  systemd-sysusers $(PREFIX)/lib/sysusers.d/camwatch.conf && \
	  systemd-tmpfiles --create $(PREFIX)/lib/tmpfiles.d/camwatch.conf; \
	else \
	  echo "install: then, as root on the target: systemd-sysusers && systemd-tmpfiles --create camwatch.conf"; \
	fi

# The long runs: 50 SIGKILL rounds (make test runs 8) and 10 minutes of
# fleet churn (make test runs 60 s).
soak: deps media
	@$(MAKE) --no-print-directory all
	@CRASH_ROUNDS=50 TEST_FILTER=crash_loop BUILD=$(BUILD) tests/run.sh
	@CHURN_SECONDS=600 TEST_TIMEOUT=900 TEST_FILTER=fleet_churn BUILD=$(BUILD) tests/run.sh

# The integration tests once more with camwatchd and the CLI under valgrind
# memcheck: any error or definitely lost block fails the test.
memcheck: deps media $(BUILD)/valgrind/libhwy.so.1
	@$(MAKE) --no-print-directory all
	@CW_VALGRIND=1 TEST_TIMEOUT=1200 tests/run.sh

# See tests/valgrind/hwy_shim.c for why valgrind needs this stand-in.
$(BUILD)/valgrind/libhwy.so.1: tests/valgrind/hwy_shim.c tests/valgrind/hwy_shim.map
	@mkdir -p $(dir $@)
	@echo "  SHIM    $@"
	@$(CC) -shared -fPIC -O1 -o $@ -Wl,--version-script=tests/valgrind/hwy_shim.map -Wl,-soname,libhwy.so.1 $<

# libFuzzer on the config parser (clang), for FUZZ_SECONDS (default 60) on
# a scratch copy of the committed seed corpus.
FUZZ_SECONDS ?= 60
FUZZ_SRC := tests/fuzz/fuzz_config.c daemon/config.c daemon/redact.c daemon/log.c daemon/error.c daemon/clock.c daemon/names.c daemon/words.c
build-fuzz/fuzz_config: $(FUZZ_SRC)
	@mkdir -p build-fuzz
	@echo "  FUZZ    $@"
	@clang -g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -o $@ $(FUZZ_SRC) \
	  $(call pc_cflags,yaml-0.1 libcurl jansson) $(call pc_libs,yaml-0.1 libcurl jansson)

fuzz: deps build-fuzz/fuzz_config
	@rm -rf build-fuzz/corpus && cp -r tests/fuzz/corpus/config build-fuzz/corpus
	build-fuzz/fuzz_config -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=10 build-fuzz/corpus \
	  tests/fuzz/corpus/config

# Measurements, printed as a table (README.md shows the latest).
bench: deps
	@$(MAKE) --no-print-directory all
	@tests/bench/run.sh

clean:
	rm -rf build build-asan build-fuzz tests/tmp

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
