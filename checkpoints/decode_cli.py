"""``rapid qr decode IMAGE... [--json]``: decode QR codes in image files from the shell.

Every file is processed even when some fail; the exit code is 1 if any file could not be
read, 0 otherwise. A readable image with no QR code is not a failure (``texts`` is empty).
"""

from __future__ import annotations

import json
import time

import click

from checkpoints.decoder import Decoder
from checkpoints.frames import read_image


@click.command("decode")
@click.argument("images", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def decode(images: tuple[str, ...], as_json: bool) -> None:
    """Decode every QR code in each IMAGE."""
    decoder = Decoder()
    failed = 0
    for path in images:
        image, reason = read_image(path)
        if image is None:
            failed += 1
            if as_json:
                click.echo(json.dumps({"file": path, "error": reason}, ensure_ascii=False))
            click.echo(f"{path}: error: {reason}", err=True)
            continue
        start = time.perf_counter()
        found = decoder.decode(image)
        ms = round((time.perf_counter() - start) * 1000.0, 2)
        texts = [d.text for d in found]
        if as_json:
            click.echo(json.dumps({"file": path, "texts": texts, "ms": ms}, ensure_ascii=False))
        elif texts:
            for d in found:
                click.echo(f"{path}: {d.text!r} ({d.method}, {ms} ms)")
        else:
            click.echo(f"{path}: no QR code ({ms} ms)")
    if failed:
        click.get_current_context().exit(1)


if __name__ == "__main__":  # pragma: no cover
    decode()
