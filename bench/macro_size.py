"""How much code `#[connector]` adds, per capability, measured on its expansion snapshots.

    python3 bench/macro_size.py            # a table
    python3 bench/macro_size.py --json     # the same as JSON

The macro crate's expansion tests (connector-sdk-macros/src/tests.rs) run small connectors
through the real macro and keep the pretty-printed input and expansion in
connector-sdk-macros/src/snapshots/*.snap; `cargo test -p connector-sdk-macros` fails when
the expansion drifts from them, so they are the macro's current output. For each snapshot
this counts lexical tokens (identifiers, literals, lifetimes, and operators with `::`,
`->`, `=>` and the like as one token each; comments dropped) of:

- the input (the annotated impl, attribute included),
- the expansion (the impl re-emitted without its `#[connector]` attributes, plus the
  generated `impl Connector`),
- each capability's registration in the generated `capabilities()` chain: from its
  `.standard::<` / `.unauthenticated::<` / `.list::<` / `.custom::<` call up to the next one, so modifiers such as
  `.default_page_size(25)` count with their capability.

"glue per capability" is the mean registration size; "fixed" is everything else the macro
adds (the `impl Connector` header, `metadata()`, settings and credential types). Nothing is
compiled: this measures what the macro writes, not what the compiler makes of it.
"""

import json
import os
import re
import sys

SNAPSHOTS = os.path.join(os.path.dirname(__file__), "..", "connector-sdk-macros", "src", "snapshots")

TOKEN = re.compile(
    r"""
    r\#*"[^"]*"\#*                    # raw string (good enough for snapshots)
  | b?"(?:\\.|[^"\\])*"               # string
  | '(?:\\.|[^'\\])'                  # char
  | '[A-Za-z_][A-Za-z0-9_]*           # lifetime
  | [A-Za-z_][A-Za-z0-9_]*            # identifier or keyword
  | [0-9][0-9A-Za-z_.]*               # number
  | ::|->|=>|==|!=|<=|>=|&&|\|\||\.\.=?|[-+*/%^&|]=|<<|>>
  | \S                                # any other punctuation
    """,
    re.VERBOSE,
)
REGISTRATION = re.compile(r"\.(standard|unauthenticated|list|custom)\s*::\s*<")


def tokens(source: str) -> list[str]:
    source = re.sub(r"//[^\n]*", "", source)
    return TOKEN.findall(source)


def measure(name: str, text: str) -> dict:
    body = text.split("\n---\n", 1)[1] if text.startswith("---") else text
    source, expansion = body.split("// expands to", 1)
    # Registrations: the generated capabilities() chain, split at each registration call.
    chain = expansion.split("fn capabilities()", 1)[1] if "fn capabilities()" in expansion else ""
    starts = [match.start() for match in REGISTRATION.finditer(chain)]
    segments = [chain[start:end] for start, end in zip(starts, starts[1:] + [chain.rfind("}", 0, chain.rfind("}"))])]
    glue = [len(tokens(segment)) for segment in segments]
    added = len(tokens(expansion)) - len(tokens(source))
    return {
        "snapshot": name,
        "capabilities": len(glue),
        "input_tokens": len(tokens(source)),
        "expansion_tokens": len(tokens(expansion)),
        "added_tokens": added,
        "glue_per_capability": glue,
        "fixed_tokens": added - sum(glue),
    }


def main() -> int:
    rows = []
    for file in sorted(os.listdir(SNAPSHOTS)):
        if file.endswith(".snap"):
            with open(os.path.join(SNAPSHOTS, file)) as snap:
                rows.append(measure(file[: -len(".snap")], snap.read()))
    if "--json" in sys.argv[1:]:
        print(json.dumps(rows, indent=1))
        return 0
    print(f"{'snapshot':<14}{'caps':>5}{'input':>7}{'expansion':>10}{'added':>7}{'fixed':>7}  glue per capability")
    for row in rows:
        glue = ", ".join(map(str, row["glue_per_capability"])) or "-"
        print(f"{row['snapshot']:<14}{row['capabilities']:>5}{row['input_tokens']:>7}{row['expansion_tokens']:>10}"
              f"{row['added_tokens']:>7}{row['fixed_tokens']:>7}  {glue}")
    every = [size for row in rows for size in row["glue_per_capability"]]
    if every:
        print(f"glue per capability over {len(every)} registrations: min {min(every)}, "
              f"mean {sum(every) / len(every):.0f}, max {max(every)} tokens")
    return 0


if __name__ == "__main__":
    sys.exit(main())
