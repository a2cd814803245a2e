"""The directory as a Word document (python-docx): the same headings and content as
the web page, a contents list at the top and the date it was compiled."""

import io
import re

from flask_babel import gettext as _

from ..formatting import local_datetime
from ..questionnaires.classification import classified
from .compile import Directory

# Characters XML 1.0 cannot hold (python-docx refuses them): dropped from answers.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _add_text(paragraph, text: str) -> None:
    """A multi-line answer keeps its line breaks."""
    lines = _clean(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    run = paragraph.add_run(lines[0])
    for line in lines[1:]:
        run.add_break()
        run = paragraph.add_run(line)


def directory_docx(directory: Directory, title: str) -> bytes:
    from docx import Document  # imported when a document is asked for: a slow import

    document = Document()
    document.core_properties.title = title
    document.add_heading(title, level=1)
    document.add_paragraph(_("Compiled %(date)s", date=local_datetime(directory.compiled_at)))

    if directory.regions:
        document.add_heading(_("Contents"), level=2)
        for region in directory.regions:
            document.add_paragraph(_clean(classified(region.name, "region")), style="List Bullet")
            for group in region.fields:
                document.add_paragraph(
                    _clean(classified(group.name, "field")), style="List Bullet 2"
                )
                for profile in group.profiles:
                    document.add_paragraph(_clean(profile.name), style="List Bullet 3")
    else:
        document.add_paragraph(_("No unit has submitted its profile yet."))

    for region in directory.regions:
        document.add_page_break()
        document.add_heading(_clean(classified(region.name, "region")), level=2)
        for group in region.fields:
            document.add_heading(_clean(classified(group.name, "field")), level=3)
            for profile in group.profiles:
                document.add_heading(_clean(profile.name), level=4)
                for entry in profile.entries:
                    question = document.add_paragraph()
                    question.add_run(_clean(entry.question)).bold = True
                    _add_text(document.add_paragraph(), entry.answer)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
