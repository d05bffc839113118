"""The floor: WeasyPrint alone, rendering the exact print HTML briefgen handed it (build --keep-html).

    python benchmarks/floor.py PRINT_HTML BASE_FOLDER OUT_PDF
"""

from __future__ import annotations

import sys

import weasyprint
from weasyprint.text.fonts import FontConfiguration

if __name__ == "__main__":
    html, base, out = sys.argv[1:4]
    document = weasyprint.HTML(filename=html, base_url=base + "/").render(font_config=FontConfiguration())
    document.write_pdf(out, pdf_tags=True, pdf_variant="pdf/ua-1")  # as briefgen writes it
