"""A small union-find for local grouping; large graphs use :func:`components` (SciPy)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


class UnionFind:
    """Disjoint sets over hashable items, with path halving."""

    def __init__(self, items: Iterable[Any] = ()) -> None:
        self._parent: dict[Any, Any] = {i: i for i in items}

    def find(self, x: Any) -> Any:
        parent = self._parent
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: Any, b: Any) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list]:
        out: dict = {}
        for x in self._parent:
            out.setdefault(self.find(x), []).append(x)
        return list(out.values())


def components(nodes: pd.Series, left: pd.Series, right: pd.Series) -> pd.Series:
    """Connected components of the graph (nodes, edges left-right): a component label per node, indexed by node.

    The label is the smallest node id in the component, so it is stable across runs with the same links.
    """
    index = pd.Index(pd.unique(nodes))
    n = len(index)
    li, ri = index.get_indexer(left), index.get_indexer(right)
    keep = (li >= 0) & (ri >= 0)
    graph = coo_matrix((np.ones(int(keep.sum()), dtype=np.int8), (li[keep], ri[keep])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    frame = pd.DataFrame({"node": index, "label": labels})
    smallest = frame.groupby("label")["node"].transform("min")
    return pd.Series(smallest.to_numpy(), index=index, name="cluster")
