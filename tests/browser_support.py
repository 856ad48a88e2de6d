"""Where the network pages draw a node, for the browser tests that click or hover it."""

_POINT = """([id, scale]) => {
    const net = window.collabgraph.network;
    if (scale) net.focus(id, {scale: scale, animation: false});
    const p = net.canvasToDOM(net.getPositions([id])[id]);
    const box = document.getElementById("network").getBoundingClientRect();
    return {x: box.left + p.x, y: box.top + p.y}; }"""


def node_point(page, node: str, scale: float | None = None) -> dict:
    """The page coordinates of a drawn node, after zooming onto it when `scale` is given."""
    return page.evaluate(_POINT, [node, scale])


def show_tooltip(page, node: str) -> str:
    """Move the mouse away and onto the node; the text of the tooltip that opens."""
    page.mouse.move(5, 5)
    point = node_point(page, node)
    page.mouse.move(point["x"], point["y"])
    page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5_000)
    return page.inner_text("div.vis-tooltip")
