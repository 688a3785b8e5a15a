"""The time of a validation report: kg.validate.report() and kg.write.syntax.turtle() on N findings.

Prints figures, asserts nothing. Two kinds of findings, N of each size:

- distinct: results on N people named by IRIs (what a broken build reports);
- alike: results on N people named by blank nodes, all alike, each copied into the
  report with what the data says of it (a person, a label, a blank document): the
  symmetric blank nodes where canonical labelling can blow up.

    python benchmarks/report.py                          # 100, 1,000, 10,000; best of 3
    python benchmarks/report.py --sizes 100 1000 --repeat 1

It imports only ``kg.validate.report``, ``kg.validate.checks.Finding`` and
``kg.write.syntax.turtle``, so it also runs on older versions of the code (put them
first on PYTHONPATH) to compare.
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import time
from collections.abc import Callable
from importlib.metadata import version

from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH, SKOS
from rdflib.term import Node

from kg.validate import report
from kg.validate.checks import Finding
from kg.write.syntax import turtle

KG = Namespace("https://w3id.org/newskg/ontology#")
KGSH = Namespace("https://w3id.org/newskg/shapes#")
ID = "https://w3id.org/newskg/id/person/"
MESSAGE = (Literal("Give exactly one skos:prefLabel.", lang="en"),)

Triple = tuple[Node, Node, Node]


def distinct(n: int) -> tuple[list[Finding], list[Triple]]:
    findings = [
        Finding(
            URIRef(f"{ID}p{i}"),
            SH.Violation,
            KGSH.prefLabel,
            SH.MinCountConstraintComponent,
            MESSAGE,
            SKOS.prefLabel,
        )
        for i in range(n)
    ]
    return findings, []


def alike(n: int) -> tuple[list[Finding], list[Triple]]:
    findings, data = [], []
    for _ in range(n):
        person, document = BNode(), BNode()
        data += [
            (person, RDF.type, KG.Person),
            (person, SKOS.prefLabel, Literal("Ana")),
            (person, KG.mentionedIn, document),
        ]
        findings.append(
            Finding(
                person,
                SH.Violation,
                KGSH.PersonShape,
                SH.NodeKindConstraintComponent,
                MESSAGE,
                None,
                person,
            )
        )
    return findings, data


KINDS: dict[str, Callable[[int], tuple[list[Finding], list[Triple]]]] = {
    "distinct": distinct,
    "alike": alike,
}


def measure(kind: str, n: int, repeat: int) -> tuple[float, float, int, str]:
    """The best report() and turtle() seconds of ``repeat`` runs, the size and digest."""
    best_report = best_turtle = float("inf")
    size, digest = 0, ""
    for _ in range(repeat):
        findings, data = KINDS[kind](n)  # fresh blank nodes each run
        start = time.perf_counter()
        checked = report(findings, data)
        middle = time.perf_counter()
        text = turtle(checked.graph)
        end = time.perf_counter()
        best_report = min(best_report, middle - start)
        best_turtle = min(best_turtle, end - middle)
        size, digest = len(text), hashlib.sha256(text).hexdigest()[:12]
    return best_report, best_turtle, size, digest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--kinds", nargs="+", choices=sorted(KINDS), default=list(KINDS))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"Python {platform.python_version()}, rdflib {version('rdflib')}, "
        f"pyoxigraph {version('pyoxigraph')}; best of {args.repeat}"
    )
    print(f"{'kind':<9}{'findings':>9}{'report()':>11}{'turtle()':>11}{'total':>10}  bytes  sha256")
    for kind in args.kinds:
        for n in args.sizes:
            made, written, size, digest = measure(kind, n, args.repeat)
            print(
                f"{kind:<9}{n:>9,}{made:>10.3f}s{written:>10.3f}s{made + written:>9.3f}s"
                f"  {size:,}  {digest}",
                flush=True,
            )


if __name__ == "__main__":
    main()
