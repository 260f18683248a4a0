"""OUT/index.html: one page that shows what the build made (pictures) and links every file, with
the result of each step. Plain HTML and CSS, relative links, no scripts; the same records give the
same page (no time of day in it)."""
from __future__ import annotations

from html import escape
from pathlib import Path

from wattcad import __version__
from wattcad.kicad.versions import kicad_release
from wattcad.pipeline.outputs import load_outputs

# The section's own KiCad files and pictures, where the project (or its generator) has them; each
# output adds its own (wattcad.pipeline.outputs). {name}: the project, {v}: the section.
KICAD_PICTURES = [
    ("{name}-board-iso.png", "KiCad 3D viewer (kicad-cli)"),
    ("{name}-board-top.png", "KiCad: top"),
    ("{name}-board-copper-top.png", "Top copper (KiCad plot)"),
    ("{name}-board-copper-bottom.png", "Bottom copper, seen through the board (KiCad plot)"),
]
KICAD_FILES = [
    ("{name}.kicad_pro", "KiCad project"), ("{name}.kicad_sch", "schematic"), ("{name}.kicad_pcb", "board"),
    ("{name}-schematic.pdf", "schematic PDF"), ("{name}-board.step", "board STEP with bodies"),
    ("{name}-board.glb", "board GLB (Blender)"), ("{name}-drc.json", "DRC report"), ("{name}-erc.json", "ERC report"),
]
STYLE = """body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#222}
h1{margin-bottom:.2em}table{border-collapse:collapse;margin:1em 0}td,th{padding:.25em .8em;border-bottom:1px solid #ddd;text-align:left}
.pass{color:#0a7a2f;font-weight:600}.fail{color:#b00020;font-weight:600}.blocked{color:#a35200;font-weight:600}.made{color:#555}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:1em}
figure{margin:0}figure img{width:100%;border:1px solid #ddd;background:#f4f4f4}figcaption{font-size:13px;color:#555}"""


def _link(out: Path, path: Path, label: str) -> str:
    return f'<a href="{escape(path.relative_to(out).as_posix())}">{escape(label)}</a>'


def index_html(pipeline, records) -> str:
    out, name = pipeline.out, pipeline.name
    failed = [r for r in records if r.status == "fail"]
    blocked = [r for r in records if r.status == "blocked"]
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>wattcad build: {escape(name)}</title>",
             f"<style>{STYLE}</style></head><body>",
             f"<h1>{escape(name)}</h1><p>wattcad {escape(__version__)} build on KiCad {escape(kicad_release() or '?')}: "
             + (f'<span class=fail>{len(failed)} step(s) failing</span>' if failed
                else '<span class=blocked>checks pass, but NOT READY FOR FABRICATION</span>' if blocked
                else '<span class=pass>every check passes; ready for fabrication</span>')
             + "</p>" + "".join(f"<p class=blocked>{escape(r.step)}: {escape(r.detail)}</p>" for r in blocked),
             "<h2>Steps</h2><table><tr><th>step</th><th>result</th><th>what</th></tr>"]
    for r in records:  # no timings: the page is a product and must not change when nothing did
        parts.append(f"<tr><td>{escape(r.step)}</td><td class={escape(r.status)}>{escape(r.status.upper())}</td>"
                     f"<td>{escape(r.detail)}</td></tr>")
    parts.append("</table>")
    for section in pipeline.sections():
        project, variant = section.dir, section.picture_prefix
        outputs = [load_outputs()[o] for o in section.outputs]
        # The renders first (the hero pictures), then the other outputs', then KiCad's own.
        pictures = [p for o in reversed(outputs) for p in o.pictures] + KICAD_PICTURES
        parts.append(f"<h2>{escape(section.title)} — {escape(project.name)}/</h2><div class=grid>")
        for pattern, caption in pictures:
            path = project / pattern.format(v=variant, name=name)
            if path.is_file():
                rel = escape(path.relative_to(out).as_posix())
                parts.append(f'<figure><a href="{rel}"><img src="{rel}" alt="{escape(caption)}" loading=lazy></a>'
                             f"<figcaption>{escape(caption)}</figcaption></figure>")
        parts.append("</div><ul>")
        for pattern, label in KICAD_FILES + [f for o in outputs for f in o.files]:
            path = project / pattern.format(name=name)
            if path.is_file():
                parts.append(f"<li>{_link(out, path, path.name)} — {escape(label)}</li>")
        parts.append("</ul>")
    for heading, files in pipeline.index_extras():  # a generator's own outputs (the footprint library)
        items = [f"<li>{_link(out, out / rel, rel)} — {escape(label)}</li>" for rel, label in files if (out / rel).exists()]
        if items:
            parts += [f"<h2>{escape(heading)}</h2><ul>", *items, "</ul>"]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
