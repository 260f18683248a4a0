"""The router's A* search, compiled by numba (pure: numpy arrays in, a path out).

A state is (layer, node row, node column, direction of the last move); nodes are every second
fine cell of the window, so a move of one node crosses one fine cell in its middle, which must be
open too. Costs: length x the layer's cost (less beside a pair's partner), a bend cost when the
direction changes, a via cost, and in a soft search a rip cost for crossing another net's routed
copper. Ties are broken by state index: the same problem always gives the same path."""
from __future__ import annotations

import heapq

import numpy as np
from numba import njit

NO_DIRECTION = 8
DI = np.array([0, 1, 0, -1, 1, 1, -1, -1], dtype=np.int64)
DJ = np.array([1, 0, -1, 0, 1, -1, 1, -1], dtype=np.int64)


@njit(cache=True)
def astar(track, soft_track, via, zone, goal, goal_nodes, starts, soft, zone_layer, pitch_mm, layer_cost,
          via_cost_mm, bend_cost_mm, rip_cost_mm, max_expansions, di_moves, dj_moves, attract, h_scale):
    """TRACK[layer, fi, fj]: fine cells a track centre may cross (SOFT_TRACK: the same, through other
    nets' routes). VIA[ni, nj]: nodes a via may stand on. ZONE[ni, nj]: nodes where a via joins the
    net's zone (ZONE_LAYER >= 0: reaching one on the other layer ends the search). GOAL[layer, ni,
    nj]: the nodes to reach; GOAL_NODES (k x 2): up to three of them, for the heuristic. STARTS
    (m x 3): layer, node row, node column. ATTRACT[layer, ni, nj]: what a millimetre ending on that
    node costs, as a share (below 1 beside a pair's partner); H_SCALE: the smallest share, so the
    distance estimate stays a lower bound. Returns the path as (n x 3) node states, empty if none."""
    rows, cols = via.shape
    size = 2 * rows * cols * 9
    best = np.full(size, np.inf)
    parent = np.full(size, -1, dtype=np.int64)
    heap = [(0.0, 0.0, np.int64(0))]
    heap.pop()
    diag = pitch_mm * np.sqrt(2.0)
    for s in range(starts.shape[0]):
        layer, a, b = starts[s, 0], starts[s, 1], starts[s, 2]
        state = ((layer * rows + a) * cols + b) * 9 + 8
        best[state] = 0.0
        heapq.heappush(heap, (h_scale * _h(a, b, goal_nodes, pitch_mm), 0.0, state))
    expansions = 0
    found = np.int64(-1)
    while len(heap) > 0:
        f, cost, state = heapq.heappop(heap)
        if cost > best[state]:
            continue
        came = state % 9
        node = state // 9
        b = node % cols
        a = (node // cols) % rows
        layer = node // (cols * rows)
        if zone_layer < 0:
            if goal[layer, a, b]:
                found = state
                break
        elif layer != zone_layer and zone[a, b] and via[a, b]:
            found = state
            break
        expansions += 1
        if expansions > max_expansions:
            break
        for dm in range(8):
            di, dj = di_moves[dm], dj_moves[dm]
            na, nb = a + di, b + dj
            if na < 0 or na >= rows or nb < 0 or nb >= cols:
                continue
            fi, fj = 2 * na, 2 * nb
            mi, mj = 2 * a + di, 2 * b + dj
            penalty = 0.0
            if not (track[layer, fi, fj] and track[layer, mi, mj]):
                if not (soft and soft_track[layer, fi, fj] and soft_track[layer, mi, mj]):
                    continue
                penalty = rip_cost_mm
            length = diag if (di != 0 and dj != 0) else pitch_mm
            c2 = cost + length * layer_cost[layer] * attract[layer, na, nb] + penalty
            if came != 8 and came != dm:
                c2 += bend_cost_mm
            nxt = ((layer * rows + na) * cols + nb) * 9 + dm
            if c2 < best[nxt] - 1e-12:
                best[nxt] = c2
                parent[nxt] = state
                heapq.heappush(heap, (c2 + h_scale * _h(na, nb, goal_nodes, pitch_mm), c2, nxt))
        if via[a, b]:
            nxt = (((1 - layer) * rows + a) * cols + b) * 9 + 8
            c2 = cost + via_cost_mm
            if c2 < best[nxt] - 1e-12:
                best[nxt] = c2
                parent[nxt] = state
                heapq.heappush(heap, (c2 + h_scale * _h(a, b, goal_nodes, pitch_mm), c2, nxt))
    if found < 0:
        return np.zeros((0, 3), dtype=np.int64)
    n = 0
    s = found
    while s >= 0:
        n += 1
        s = parent[s]
    path = np.zeros((n, 3), dtype=np.int64)
    s = found
    for k in range(n - 1, -1, -1):
        node = s // 9
        path[k, 0] = node // (cols * rows)
        path[k, 1] = (node // cols) % rows
        path[k, 2] = node % cols
        s = parent[s]
    return path


@njit(cache=True)
def _h(a, b, goal_nodes, pitch_mm):
    """Octile distance to the nearest of the goal nodes (0 with none: a zone search)."""
    if goal_nodes.shape[0] == 0:
        return 0.0
    best = np.inf
    for g in range(goal_nodes.shape[0]):
        da, db = abs(a - goal_nodes[g, 0]), abs(b - goal_nodes[g, 1])
        best = min(best, (da + db - 0.5857864376269049 * min(da, db)) * pitch_mm)
    return best
