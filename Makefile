# Convenience targets; ./scripts/test.sh is the canonical test command.
GO ?= go
FUZZTIME ?= 20s
BENCHFLAGS ?=
ARCHIVEPOSTS ?= 100000
CRASHFLAGS ?=

.PHONY: test run bench crash fuzz vet fmt

test:
	./scripts/test.sh

run:
	$(GO) run ./cmd/listserv serve

bench:
	$(GO) run ./cmd/listserv-bench $(BENCHFLAGS)
	$(GO) run ./cmd/listserv-bench -archive-posts $(ARCHIVEPOSTS)

crash:
	$(GO) run ./cmd/listserv-crash $(CRASHFLAGS)

# Runs every Fuzz* function of every package for $(FUZZTIME) each.
fuzz:
	@set -e; \
	dirs=$$(grep -rl --include='*_test.go' --exclude-dir=.git --exclude-dir=node_modules '^func Fuzz' . | xargs -r -n1 dirname | sort -u); \
	if [ -z "$$dirs" ]; then echo "fuzz: no Fuzz functions found"; exit 0; fi; \
	for dir in $$dirs; do \
		for name in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go | sed 's/^func //' | sort -u); do \
			echo "fuzz: $$dir $$name ($(FUZZTIME))"; \
			$(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) $$dir; \
		done; \
	done

vet:
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files -co --exclude-standard -- '*.go')
