# benchlua: plain Makefile, pkg-config for every dependency, objects under build/.
#   make            build ./benchlua
#   make check      run every test tier (ends with "N passed, N failed, N skipped")
#   make format     reformat the C sources with clang-format (.clang-format)
#   make format-check  fail when a C file is not formatted (part of make check)
#   make asan       build ./build/asan/benchlua with AddressSanitizer + UBSan
#   make check-asan run the tests against the sanitizer build
#   make deps       install the Debian packages it needs (root), then fetch the datasets (make data)
#   make data       benchlua fetch: the datasets into the cache, when the network allows it
#   make man        regenerate docs/benchlua.1 from the option specs (benchlua --man)
#   make install PREFIX=/usr/local DESTDIR=

PKGS     := lua5.4 lua5.4-cjson libcurl libuv zlib nettle
DEBS     := build-essential pkg-config liblua5.4-dev lua-cjson-dev libcurl4-openssl-dev \
            libuv1-dev zlib1g-dev nettle-dev python3 python3-numpy python3-sympy python3-pylatexenc python3-nltk python3-langdetect ca-certificates \
            debootstrap curl gzip procps chromium clang-format slurm-wlm munge
PREFIX   ?= /usr/local
DATADIR  := $(PREFIX)/share/benchlua
CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wno-unused-parameter
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS  = -std=c11 -D_GNU_SOURCE $(WARN) $(PKG_CFLAGS) -Isrc -DBENCHLUA_DATADIR='"$(DATADIR)"' $(CFLAGS)

B        ?= build
SRC      := $(wildcard src/*.c)
OBJ      := $(filter-out $(B)/exec_main.o,$(SRC:src/%.c=$(B)/%.o)) $(B)/embed.o
LIBOBJ   := $(filter-out $(B)/main.o,$(OBJ))
HELPER   := $(dir $(BIN))benchlua-exec
LUAFILES := $(sort $(wildcard lua/benchlua/*.lua lua/benchlua/cmd/*.lua lua/benchlua/*.py))
CTESTS   := $(patsubst tests/c/%.c,$(B)/tests/%,$(wildcard tests/c/test_*.c))
BIN      ?= benchlua

all: $(BIN) $(HELPER) $(CTESTS)

$(BIN): $(OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $(OBJ) $(PKG_LIBS) $(LDFLAGS)

# the exec helper: libc only, so each child starts fast (see src/exec_main.c)
$(HELPER): $(B)/exec_main.o $(B)/exec.o $(B)/sandbox.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDFLAGS)

$(B)/%.o: src/%.c src/*.h | $(B)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/embed.c: $(LUAFILES) $(B)/embed-tool
	$(B)/embed-tool $@ $(LUAFILES)

$(B)/embed.o: $(B)/embed.c src/bl.h
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/embed-tool: tools/embed.c | $(B)
	$(CC) -O1 -o $@ $<

$(B)/tests/%: tests/c/%.c $(LIBOBJ) src/*.h | $(B)
	@mkdir -p $(B)/tests
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBOBJ) $(PKG_LIBS)

$(B):
	mkdir -p $(B)

CFILES   := $(wildcard src/*.c src/*.h tools/*.c tests/c/*.c)
CLANG_FORMAT ?= clang-format

format:
	$(CLANG_FORMAT) -i $(CFILES)

# fails, naming the files, when a C file differs from clang-format's output
format-check:
	@bad=; for f in $(CFILES); do \
	  $(CLANG_FORMAT) $$f | cmp -s - $$f || bad="$$bad $$f"; done; \
	  if [ -n "$$bad" ]; then echo "not formatted (run make format):$$bad" >&2; exit 1; fi

check: all format-check
	tests/run.sh ./$(BIN)

asan:
	$(MAKE) B=build/asan BIN=build/asan/benchlua \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
	  LDFLAGS="-fsanitize=address,undefined"

check-asan: asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  BENCHLUA_SKIP_SLOW=1 tests/run.sh ./build/asan/benchlua

bench: all
	bench/run.sh ./$(BIN)

# a real llama-server (cached Debian sid root), the tiny test model, and
# HumanEval on it: the whole path, end to end
DEMO_DATA := $(wildcard ../shared/data/HumanEval.jsonl.gz)
demo: all
	tests/server/setup-root.sh
	tests/server/tiny-model.sh build/tiny.gguf
	./$(BIN) human_eval --model build/tiny.gguf --server-bin tests/server/llama-server \
	  --parallel 4 --ctx 16384 --max-tokens 64 $(if $(DEMO_DATA),--dataset $(DEMO_DATA))

deps:
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(DEBS)
	-@$(MAKE) --no-print-directory data

# the datasets of these benchmarks, fetched into the cache once (digest-checked);
# offline, benchlua says what it could not fetch and the tests that need it skip
# (lcb's releases are large: `benchlua fetch lcb` when you want them)
FETCH ?= human_eval humaneval_plus mbpp mbpp_plus gsm8k aime math500 ifeval
data: all
	./$(BIN) fetch $(FETCH) || echo "make data: not every dataset could be fetched (offline?): put the files in a directory named by BENCHLUA_DATA (docs/usage.md: Data, and working offline)"

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/benchmarks $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/benchlua
	install -m 755 $(HELPER) $(DESTDIR)$(PREFIX)/bin/benchlua-exec
	install -m 644 benchmarks/*.lua $(DESTDIR)$(DATADIR)/benchmarks/
	install -m 644 docs/benchlua.1 $(DESTDIR)$(PREFIX)/share/man/man1/

man: $(BIN)
	./$(BIN) --man > docs/benchlua.1

clean:
	rm -rf build $(BIN) $(HELPER)

.PHONY: data man all format format-check check asan check-asan bench demo deps install clean
