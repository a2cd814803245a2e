"""The directory's pages and downloads."""

from flask import Blueprint

bp = Blueprint("directory", __name__)
