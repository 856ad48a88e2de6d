"""Room for nodes and their labels in a drawing: sizes on a log scale, and positions pushed apart until no
node or label covers another.

A spring layout places nodes by their links only: it knows nothing of a node's radius or of the label
written under it, so a small drawing of long names overlaps and a large one is spread so thin that fitting
it to the screen shrinks every label to a tick. Here each node gets a radius and a label size (canvas
units; the browser draws them as given), a box holding both, and the boxes are pushed apart along the
axis where they overlap least: the drawing is as compact as the labels allow.
"""
from __future__ import annotations

from dataclasses import dataclass
from math import sqrt

import numpy as np

#: Average width of a character in a sans-serif font, in units of its size (a generous estimate: a label
#: a little narrower than its box leaves a gap; one wider would overlap).
CHAR_WIDTH = 0.55
LINE_HEIGHT = 1.25
#: Space kept around each box (canvas units).
MARGIN = 6.0
ROUNDS = 120


@dataclass(frozen=True)
class Style:
    """Node radius and label size, each from its first to its second value, by the square root of what a
    node stands for (its area grows with it) relative to the largest."""

    radius: tuple[float, float]
    font: tuple[float, float]

    def of(self, values: dict) -> dict:
        """{node: (radius, font size)} for {node: value >= 0}; the largest value gets the largest node."""
        top = max(max(values.values(), default=1), 1)
        out = {}
        for n, v in values.items():
            f = sqrt(max(v, 0) / top)
            out[n] = (round(self.radius[0] + f * (self.radius[1] - self.radius[0]), 1),
                      round(self.font[0] + f * (self.font[1] - self.font[0]), 1))
        return out


def box(label: str, radius: float, font: float) -> tuple[float, float, float]:
    """(width, height, dy): the box around a node and the label drawn under it, and the box centre's offset
    below the node's centre."""
    lines = label.split("\n")
    text_h = len(lines) * font * LINE_HEIGHT
    width = max(2 * radius, max(len(line) for line in lines) * font * CHAR_WIDTH) + 2 * MARGIN
    height = 2 * radius + text_h + 2 * MARGIN
    return width, height, text_h / 2


def separate(pos: dict, boxes: dict, rounds: int = ROUNDS) -> dict:
    """The positions moved apart until no two nodes' boxes overlap (or `rounds` is spent): each overlapping
    pair is pushed apart along the axis that needs the smaller move, half each."""
    keys = sorted(pos)
    if len(keys) < 2:
        return dict(pos)
    xy = np.array([pos[k] for k in keys], dtype=float)
    half = np.array([boxes[k][:2] for k in keys], dtype=float) / 2
    xy[:, 1] += [boxes[k][2] for k in keys]
    # Ties (two nodes at one place) are broken by index, so coincident nodes still move apart.
    order = np.sign(np.arange(len(keys))[:, None] - np.arange(len(keys))[None, :]).astype(float)
    for _ in range(rounds):
        d = xy[:, None, :] - xy[None, :, :]
        over = half[:, None, :] + half[None, :, :] - np.abs(d)
        hit = (over > 0).all(axis=2)
        np.fill_diagonal(hit, False)
        if not hit.any():
            break
        axis = over.argmin(axis=2)
        sign = np.where(d == 0, order[:, :, None], np.sign(d))
        amount = np.where(hit, np.take_along_axis(over, axis[:, :, None], axis=2)[:, :, 0], 0.0) / 2
        push = np.zeros_like(d)
        for a in (0, 1):
            push[:, :, a] = np.where(axis == a, sign[:, :, a] * amount, 0.0)
        xy += push.sum(axis=1)
    xy[:, 1] -= [boxes[k][2] for k in keys]
    return {k: (float(x), float(y)) for k, (x, y) in zip(keys, xy, strict=True)}


def extent(pos: dict, boxes: dict) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of the boxes at these positions."""
    xs = [(x - boxes[k][0] / 2, x + boxes[k][0] / 2) for k, (x, _) in pos.items()]
    ys = [(y + boxes[k][2] - boxes[k][1] / 2, y + boxes[k][2] + boxes[k][1] / 2) for k, (_, y) in pos.items()]
    return min(a for a, _ in xs), min(a for a, _ in ys), max(b for _, b in xs), max(b for _, b in ys)


def rows(items: list, boxes: dict, width: float, left: float, top: float) -> dict:
    """Nodes placed in rows under (left, top), each row at most `width` wide, in the order given."""
    out = {}
    x, y, row = left, top, 0.0
    for k in items:
        w, h, dy = boxes[k]
        if x > left and x + w > left + width:
            x, y, row = left, y + row, 0.0
        out[k] = (x + w / 2, y + h / 2 - dy)
        x, row = x + w, max(row, h)
    return out
