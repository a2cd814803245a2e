"""Helpers of the roster tests: upload a roster file in the browser's way and confirm
its preview."""

import io
import re

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.helpers import CSRF_RE

HEADER = "code,name,field,status,region,municipality,contact_name,contact_email,language"
TOKEN_RE = re.compile(r'name="preview" value="([^"]+)"')


def upload(client, data, name="roster.csv", csrf=True):
    html = client.get("/admin/units/upload").get_data(as_text=True)
    form = {"roster": FileStorage(io.BytesIO(data), filename=name)}
    if csrf:
        form["csrf_token"] = CSRF_RE.search(html).group(1)
    # Encoded in memory: the test client would spool a large body to a temporary file
    # and leave it open when the app refuses the request before reading it.
    boundary, body = encode_multipart(form)
    return client.post(
        "/admin/units/upload", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def confirm(client, preview):
    html = preview.get_data(as_text=True)
    return client.post(
        "/admin/units/upload/confirm",
        data={"csrf_token": CSRF_RE.search(html).group(1), "preview": TOKEN_RE.search(html)[1]},
    )
