"""Connected components of account and identifier graphs (SciPy's ``connected_components``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


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
    order = np.argsort(index.to_numpy(), kind="stable")  # node positions, smallest node first
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    smallest = np.full(labels.max() + 1 if n else 0, n, dtype=np.int64)
    np.minimum.at(smallest, labels, rank)  # per component, the rank of its smallest node
    return pd.Series(index.to_numpy()[order[smallest[labels]]], index=index, name="cluster")
