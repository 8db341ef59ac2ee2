# raftbeat. A newcomer needs two commands:
#   make serve   installs what is missing, builds, serves the page on 127.0.0.1:$(PORT)
#   make test    installs what is missing, runs every test: native, wasm in headless Chrome, end-to-end
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
WASM_OPT_FLAGS := -Oz --enable-reference-types --enable-bulk-memory --enable-mutable-globals \
                  --enable-nontrapping-float-to-int --enable-sign-ext --enable-multivalue

PKG := www/pkg
WASM := $(PKG)/raftbeat_bg.wasm
CLI := target/release/raftbeat
RUST_SOURCES := Cargo.toml Cargo.lock $(shell find src -name '*.rs')

.PHONY: help serve test setup setup-browser wasm cli test-native test-wasm test-e2e bench clean

help:
	@echo "make serve   build and serve the page on http://127.0.0.1:$(PORT)/ (PORT=... to change)"
	@echo "make test    run every test: native, wasm in headless Chrome, end-to-end"
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
	  echo "make: installing the Node packages from package-lock.json (wasm-opt, playwright-core)"; \
	  npm ci --no-audit --no-fund; }

# What the browser tests need besides: Chromium and its driver.
setup-browser:
	@{ command -v chromium >/dev/null && command -v chromedriver >/dev/null; } || { \
	  echo "make: installing Debian's chromium and chromium-driver"; \
	  $(call apt_install,chromium chromium-driver,Chromium and a ChromeDriver of the same version on PATH (as chromium and chromedriver)); }

# The wasm package next to the page (git-ignored), rebuilt when a Rust source changes.
# Speed first: the release profile (opt-level 3), then wasm-opt -Oz, which
# trims it without slowing it (300 KB, 0.6-0.9 of native speed). opt-level
# "z" makes 238 KB but runs at 0.36-0.42 of native, missing the fast-forward
# targets; see the README. (wasm-pack's --profile with a custom profile emits
# a module whose externref table the browser rejects at load, so any other
# level must be set through CARGO_PROFILE_RELEASE_OPT_LEVEL.)
$(WASM): $(RUST_SOURCES)
	@$(MAKE) --no-print-directory setup
	wasm-pack --log-level warn build --target web --release --out-dir $(PKG) --mode no-install --no-pack
	$(WASM_OPT) $(WASM_OPT_FLAGS) $(WASM) -o $(WASM)
	@echo "make: $(WASM) is $$(stat -c %s $(WASM)) bytes"

wasm: $(WASM)

cli:
	@cargo build --release --quiet --bin raftbeat

serve: setup wasm cli
	@$(CLI) serve --dir www --port $(PORT)

test-native:
	cargo test --quiet

test-wasm: setup
	wasm-pack --log-level warn test --headless --chrome --mode no-install -- --test web

test-e2e: setup setup-browser wasm cli
	node --test --test-concurrency=1 tests/e2e/

# Every suite in turn, stopping at the first red, then a summary.
test: setup setup-browser
	@summary=(); \
	stage() { \
	  local name="$$1"; shift; local t0=$$SECONDS; \
	  echo; echo "== $$name"; \
	  if "$$@"; then summary+=("  ok    $$name ($$((SECONDS - t0)) s)"); \
	  else summary+=("  FAIL  $$name"); echo; echo "make test: FAILED"; printf '%s\n' "$${summary[@]}"; exit 1; fi; \
	}; \
	stage "native tests (cargo test)" $(MAKE) --no-print-directory test-native; \
	stage "wasm tests in headless Chrome (tests/web.rs)" $(MAKE) --no-print-directory test-wasm; \
	stage "end-to-end tests (tests/e2e, Chromium)" $(MAKE) --no-print-directory test-e2e; \
	echo; echo "make test: all suites passed"; printf '%s\n' "$${summary[@]}"

bench: setup wasm cli
	cargo bench --bench core

clean:
	cargo clean
	rm -rf $(PKG) node_modules
