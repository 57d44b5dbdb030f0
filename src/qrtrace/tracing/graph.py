"""The transmission chain (case → F1 → F2) laid out as an inline SVG: three columns of people, edges
labelled with the venue where the contact happened. Server-side, so it needs no JavaScript library."""

from dataclasses import dataclass

from .models import Case, Exposure

COLUMN_X = (70, 330, 590)
ROW_HEIGHT = 34
TOP = 30
# Past this many people in a column the picture stops helping; the lists below hold everyone.
MOST = 40


@dataclass(frozen=True)
class Node:
    key: int
    label: str
    level: str
    x: int
    y: int


@dataclass(frozen=True)
class Edge:
    x1: int
    y1: int
    x2: int
    y2: int
    label: str

    # The venue is written at the middle of its line: lines from one person fan out, so their middles
    # are half a row apart, and lines into one person come from different rows; written at the end
    # (as before) the labels of every line into one person fell on the same spot.
    @property
    def label_x(self) -> int:
        return (self.x1 + self.x2) // 2

    @property
    def label_y(self) -> int:
        return (self.y1 + self.y2) // 2 - 3


@dataclass(frozen=True)
class Graph:
    nodes: list[Node]
    edges: list[Edge]
    height: int
    hidden: int


def chain_graph(case: Case, exposures: list[Exposure]) -> Graph:
    nodes = {case.person_id: Node(case.person_id, case.person.full_name, "F0", COLUMN_X[0], TOP)}
    hidden = 0
    for column, level in ((1, "F1"), (2, "F2")):
        row = 0
        for exposure in (e for e in exposures if e.level == level):
            if row >= MOST:
                hidden += 1
                continue
            nodes[exposure.person_id] = Node(
                exposure.person_id, exposure.person.full_name, level, COLUMN_X[column], TOP + row * ROW_HEIGHT
            )
            row += 1
    # One line per pair of people; several venues where the same two met share it.
    venues: dict[tuple[int, int], list[str]] = {}
    for exposure in exposures:
        source, target = nodes.get(exposure.source_person_id), nodes.get(exposure.person_id)
        if source and target:
            names = venues.setdefault((source.key, target.key), [])
            name = exposure.venue.name if exposure.venue else ""
            if name and name not in names:
                names.append(name)
    edges = []
    for (source_key, target_key), names in venues.items():
        source, target = nodes[source_key], nodes[target_key]
        edges.append(Edge(source.x + 60, source.y, target.x - 60, target.y, ", ".join(names)))
    height = max(node.y for node in nodes.values()) + ROW_HEIGHT
    return Graph(list(nodes.values()), edges, height, hidden)
