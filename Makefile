# raftbeat. A newcomer needs two commands:
#   make serve   installs what is missing, builds, serves the page on 127.0.0.1:$(PORT)
#   make test    installs what is missing, runs the fast checks, then every test: native, wasm in
#                headless Chrome, end-to-end
# Both are idempotent: a second run skips the installs.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PORT ?= 8000
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
export PATH := $(CARGO_BIN):$(PATH)

# wasm-bindgen-cli must match the exact wasm-bindgen pinned in Cargo.toml.
WASM_BINDGEN_VERSION := $(shell sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
# Debian's wasm-opt (binaryen 108) breaks wasm-bindgen's externref table, so
# wasm-opt comes from npm's binaryen package (pinned in package-lock.json).
WASM_OPT := node_modules/.bin/wasm-opt
# --converge repeats -Oz while it still shrinks; the strips drop two custom
# sections no browser reads.
WASM_OPT_FLAGS := -Oz --enable-reference-types --enable-bulk-memory --enable-mutable-globals \
                  --enable-nontrapping-float-to-int --enable-sign-ext --enable-multivalue --converge --strip-producers --strip-target-features

# Two wasm packages from the one crate (both git-ignored):
#   www/pkg/              the lab (index.html, <raft-beat>, embed.html): no experiments,
#                         opt-level $(LAB_OPT_LEVEL) with $(LAB_RUSTFLAGS), glue minified
#   www/pkg-experiments/  the Experiments page: --features experiments, opt-level 3
# Each has its own cargo target dir, so the two never overwrite each other's
# raftbeat.wasm and can build at once (make -j2 wasm).
PKG := www/pkg
WASM := $(PKG)/raftbeat_bg.wasm
EXP_PKG := www/pkg-experiments
EXP_WASM := $(EXP_PKG)/raftbeat_bg.wasm
LAB_TARGET := target/wasm-lab
EXP_TARGET := target/wasm-experiments
# The lab's opt-level. s: 216 KB against 239 KB at 3, and the lab's
# fast-forward as fast (18 M events/s, Nacos, in V8); z: 186 KB but a third of
# native speed, under the "within 2x" target. See docs/performance.md. A change
# rebuilds www/pkg/ through the stamp below.
LAB_OPT_LEVEL ?= s
# And its inlining. At opt-level s LLVM still lets a function marked #[inline]
# (most of std's generics: Vec, String, iterators) grow its caller by up to
# 325 units; at 100 the lab's wasm is 4.7 KB smaller gzipped and its
# fast-forward as fast: the simulator's hot helpers are #[inline(always)],
# which no threshold limits (at 45 or below it slows down). A change rebuilds
# www/pkg/ through the stamp below, like LAB_OPT_LEVEL's.
LAB_RUSTFLAGS ?= -C llvm-args=-inlinehint-threshold=100
LAB_OPT_STAMP := target/lab-opt-level
# The lab's wasm-opt also rebuilds the control flow first (flatten, then
# rereloop): 1.1 KB smaller gzipped, as fast. Not for the experiments: their
# speed was measured without it.
LAB_WASM_OPT_FLAGS := --flatten --rereloop $(WASM_OPT_FLAGS) -Oz
# The Experiments package is optimised for speed: -O3 runs the Raft speed
# run 3-4 % faster in Chromium than -Oz, for 4 KB more (docs/performance.md).
EXP_WASM_OPT_FLAGS := $(patsubst -Oz,-O3,$(WASM_OPT_FLAGS))
MINIFY_GLUE := tools/minify-glue.mjs
# What is served: www/ with its ES modules minified (tools/build-site.mjs).
SITE := target/site
TSC := node_modules/.bin/tsc
CLI := target/release/raftbeat
# The npm package (tools/pack.mjs): the element, its modules and the lab's wasm.
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
PACKAGE := target/package/raftbeat-$(VERSION).tgz
# The user guide (docs/book/), built by a pinned mdbook: only its HTML
# renderer with search (--no-default-features leaves out `mdbook serve` and
# `mdbook watch` and their dependencies, which `make book` does not use).
MDBOOK_VERSION := 0.5.4
BOOK := target/book
# What the book's live <raft-beat> elements load, copied from $(SITE) into $(BOOK)/raftbeat/.
BOOK_ELEMENT := raft-beat.js lib i18n pkg tours
RUST_SOURCES := Cargo.toml Cargo.lock $(shell find src -name '*.rs')

# A recipe that fails half-way leaves no target behind (so the next make retries).
.DELETE_ON_ERROR:
.PHONY: help serve site package book test check setup setup-browser setup-book wasm cli fmt-check clippy clippy-wasm \
        clippy-wasm-experiments tsc test-native test-wasm test-e2e bench clean FORCE

help:
	@echo "make serve   build and serve the page on http://127.0.0.1:$(PORT)/ (PORT=... to change)"
	@echo "make site    build $(SITE)/: www/ as served, its modules minified"
	@echo "make package build $(PACKAGE), the npm package of <raft-beat>"
	@echo "make book    build the user guide (docs/book/, mdBook) into $(BOOK)/"
	@echo "make check   the fast checks only: rustfmt, clippy (native and wasm32), tsc"
	@echo "make test    the fast checks, then every test: native, wasm in headless Chrome, end-to-end"
	@echo "make bench   run the committed benchmarks"

# apt_install PACKAGES, WHAT-TO-INSTALL-BY-HAND
define apt_install
	if command -v apt-get >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; \
	  else echo "make: installing $(1) needs root (or sudo)"; exit 1; fi; \
	  if [ -z "$$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -n1)" ]; then \
	    $$SUDO apt-get update -qq; fi; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(1); \
	else \
	  echo "make: apt-get is not available here. Install by hand: $(2)"; exit 1; \
	fi
endef

# The Rust side of the toolchain: quick checks, installs only what is missing.
setup:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || { \
	  echo "make: adding the wasm32-unknown-unknown target"; rustup target add wasm32-unknown-unknown; }
	@[ "$$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $(WASM_BINDGEN_VERSION)" ] || { \
	  echo "make: installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (about 2 min)"; \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; }
	@command -v wasm-pack >/dev/null || { \
	  echo "make: installing wasm-pack (about 2 min)"; cargo install wasm-pack --locked; }
	@{ command -v node >/dev/null && command -v npm >/dev/null; } || { \
	  echo "make: installing Node.js and npm"; \
	  $(call apt_install,nodejs npm,Node.js 20 or later with npm); }
	@[ node_modules/.package-lock.json -nt package-lock.json ] || { \
	  echo "make: installing the Node packages from package-lock.json (wasm-opt, terser, playwright-core)"; \
	  npm ci --no-audit --no-fund; }

# What the browser tests need besides: Chromium and its driver.
setup-browser:
	@{ command -v chromium >/dev/null && command -v chromedriver >/dev/null; } || { \
	  echo "make: installing Debian's chromium and chromium-driver"; \
	  $(call apt_install,chromium chromium-driver,Chromium and a ChromeDriver of the same version on PATH (as chromium and chromedriver)); }

# mdbook for `make book`: installed when missing or another version.
setup-book:
	@[ "$$(mdbook --version 2>/dev/null)" = "mdbook v$(MDBOOK_VERSION)" ] || { \
	  echo "make: installing mdbook $(MDBOOK_VERSION), HTML and search only (about 2 min)"; \
	  cargo install mdbook --version $(MDBOOK_VERSION) --locked --no-default-features --features search --force; }

# The wasm packages next to the pages, rebuilt when a Rust source changes.
# Speed first for the experiments: the release profile (opt-level 3), then
# wasm-opt -Oz, which trims it without slowing it (0.6-0.9 of native
# speed; opt-level "z" runs at 0.36-0.42, too slow for Figure 16 and the
# fast-forward; see docs/performance.md). The lab's level is LAB_OPT_LEVEL. Any level
# other than the profile's is set through CARGO_PROFILE_RELEASE_OPT_LEVEL:
# wasm-pack's --profile with a custom profile emits a module whose externref
# table the browser rejects at load.
#
# Each build has its own CARGO_TARGET_DIR: cargo keeps one raftbeat.wasm per
# target dir, and the two differ in features and opt-level, so sharing one
# would make each build undo the other (and race under make -j).
$(WASM): $(RUST_SOURCES) $(LAB_OPT_STAMP) $(MINIFY_GLUE) | setup
	CARGO_TARGET_DIR=$(LAB_TARGET) CARGO_PROFILE_RELEASE_OPT_LEVEL=$(LAB_OPT_LEVEL) RUSTFLAGS="$(LAB_RUSTFLAGS)" wasm-pack --log-level warn build --target web --release --out-dir $(PKG) --mode no-install --no-pack
	$(WASM_OPT) $(LAB_WASM_OPT_FLAGS) $(WASM) -o $(WASM)
	node $(MINIFY_GLUE) $(PKG)/raftbeat.js
	@echo "make: $(WASM) is $$(stat -c %s $(WASM)) bytes (opt-level $(LAB_OPT_LEVEL)), its glue $$(stat -c %s $(PKG)/raftbeat.js)"

$(EXP_WASM): $(RUST_SOURCES) | setup
	CARGO_TARGET_DIR=$(EXP_TARGET) CARGO_PROFILE_RELEASE_OPT_LEVEL=3 wasm-pack --log-level warn build --target web --release --out-dir $(EXP_PKG) --mode no-install --no-pack -- --features experiments
	$(WASM_OPT) $(EXP_WASM_OPT_FLAGS) $(EXP_WASM) -o $(EXP_WASM)
	@echo "make: $(EXP_WASM) is $$(stat -c %s $(EXP_WASM)) bytes (opt-level 3), its glue $$(stat -c %s $(EXP_PKG)/raftbeat.js)"

# Rewritten only when LAB_OPT_LEVEL or LAB_RUSTFLAGS differs from the last build's.
$(LAB_OPT_STAMP): FORCE
	@mkdir -p $(@D)
	@[ "$$(cat $@ 2>/dev/null)" = "$(LAB_OPT_LEVEL) $(LAB_RUSTFLAGS)" ] || echo "$(LAB_OPT_LEVEL) $(LAB_RUSTFLAGS)" > $@

wasm: $(WASM) $(EXP_WASM)

cli:
	@cargo build --release --quiet --bin raftbeat

# The site as readers get it: www/ with every page module minified by terser
# (the sources stay readable; the page's weight is counted gzipped against a
# budget, benches/browser/size.js). Incremental: only changed files are
# redone. `raftbeat serve --dir www` serves the readable sources instead.
site: setup wasm
	@node tools/build-site.mjs

# The npm package, rebuilt when the element, the wasm or the packer changes.
$(PACKAGE): $(WASM) $(shell find www -maxdepth 3 -name '*.js' -not -path 'www/pkg*') tools/pack.mjs tools/package-README.md tools/build-site.mjs Cargo.toml | setup
	@node tools/pack.mjs

package: $(PACKAGE)

# The user guide: mdbook renders docs/book/ (whose chapters include
# docs/embedding.md and docs/scenarios.md), then the element's files from the
# built site go beside the chapters, which load raftbeat/raft-beat.js.
book: setup-book site
	@rm -rf $(BOOK)
	@mdbook build docs/book --dest-dir $(CURDIR)/$(BOOK) 2>&1 | { grep -v ' INFO ' || true; }
	@mkdir -p $(BOOK)/raftbeat
	@cp -r $(addprefix $(SITE)/,$(BOOK_ELEMENT)) $(BOOK)/raftbeat/
	@echo "make: the book is in $(BOOK)/ (raftbeat serve --dir $(BOOK) to read it)"

serve: setup site cli
	@$(CLI) serve --dir $(SITE) --port $(PORT)

# The property tests draw their cases from one fixed seed, so `make test`
# (and CI) runs the same cases every time: a red run is a change's doing, not
# the dice's. To explore other cases, give another seed:
# `make test-native PROPTEST_RNG_SEED=$$RANDOM`; a failure prints the case,
# which then belongs in a golden scenario or a regression test.
PROPTEST_RNG_SEED ?= 1
test-native:
	PROPTEST_RNG_SEED=$(PROPTEST_RNG_SEED) cargo test --quiet

test-wasm: setup
	wasm-pack --log-level warn test --headless --chrome --mode no-install -- --test web

# The harness serves $(SITE), bringing it up to date first; the Vite test
# installs $(PACKAGE); the book's test serves $(BOOK).
test-e2e: setup setup-browser site package cli book
	node --test --test-concurrency=1 tests/e2e/

# The fast checks. The tree must be rustfmt- and clippy-clean, on wasm32 too
# (the page's code is only built there) and with the experiments feature.
fmt-check:
	cargo fmt --check

clippy:
	cargo clippy --quiet --all-targets -- -D warnings

clippy-wasm: setup
	cargo clippy --quiet --lib --target wasm32-unknown-unknown -- -D warnings

clippy-wasm-experiments: setup
	cargo clippy --quiet --lib --target wasm32-unknown-unknown --features experiments -- -D warnings

# The page's JavaScript against the wasm packages' type declarations (so it
# needs them built).
tsc: setup wasm
	@if [ -f tsconfig.json ]; then $(TSC) -p tsconfig.json; \
	else echo "make: no tsconfig.json yet: the type check is skipped"; fi

# stage NAME COMMAND...: runs one stage of make test / make check, stopping at
# the first red with the summary so far.
define stages
summary=(); \
stage() { \
  local name="$$1"; shift; local t0=$$SECONDS; \
  echo; echo "== $$name"; \
  if "$$@"; then summary+=("  ok    $$name ($$((SECONDS - t0)) s)"); \
  else summary+=("  FAIL  $$name"); echo; echo "make $@: FAILED"; printf '%s\n' "$${summary[@]}"; exit 1; fi; \
}
endef
SUBMAKE := $(MAKE) --no-print-directory
FAST_CHECKS := \
  stage "rustfmt (cargo fmt --check)" $(SUBMAKE) fmt-check; \
  stage "clippy, native (all targets)" $(SUBMAKE) clippy; \
  stage "clippy, wasm32 (the lab's library)" $(SUBMAKE) clippy-wasm; \
  stage "clippy, wasm32 with the experiments" $(SUBMAKE) clippy-wasm-experiments;

check: setup
	@$(stages); \
	$(FAST_CHECKS) \
	stage "type check (tsc, after the wasm build)" $(SUBMAKE) tsc; \
	echo; echo "make check: all checks passed"; printf '%s\n' "$${summary[@]}"

# The fast checks first, then every suite in turn, stopping at the first red,
# then a summary.
test: setup setup-browser
	@$(stages); \
	$(FAST_CHECKS) \
	stage "wasm build (www/pkg, www/pkg-experiments)" $(SUBMAKE) wasm; \
	stage "type check (tsc)" $(SUBMAKE) tsc; \
	stage "npm package ($(PACKAGE))" $(SUBMAKE) package; \
	stage "native tests (cargo test)" $(SUBMAKE) test-native; \
	stage "wasm tests in headless Chrome (tests/web.rs)" $(SUBMAKE) test-wasm; \
	stage "end-to-end tests (tests/e2e, Chromium)" $(SUBMAKE) test-e2e; \
	echo; echo "make test: all suites passed"; printf '%s\n' "$${summary[@]}"

bench: setup wasm cli
	cargo bench --bench core
	cargo bench --bench nacos_data

clean:
	cargo clean
	rm -rf $(PKG) $(EXP_PKG) node_modules
