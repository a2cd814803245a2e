"""A questionnaire file's problems in the admin's language.

The checks (`questionnaires.validation`, `xlsform_read`, `files`) say each problem in
English, as the command line shows it: "survey sheet, row 7, column label::sv: missing
text". A page says the same in the admin's language: the place and the problem are
recognised here and translated; a problem not in this table is shown as it came.
"""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# A value as Python's repr() quotes it: in single quotes, or in double quotes when it
# holds a single quote.
WORD = r"""(?P<value>'[^']*'|"(?:[^"\\]|\\.)*")"""
# (English problem, as a regular expression with named parts) -> its message.
PROBLEMS = [
    (r"missing text", _l("the text is missing")),
    (r"unknown key", _l("this column or key is not known")),
    (r"unknown column", _l("this column is not known (check its name)")),
    (r"unknown language", _l("unknown language (use fi, sv or en)")),
    (rf"unknown language {WORD}", _l("unknown language %(value)s (use fi, sv or en)")),
    (r"must be true or false", _l("write yes or no")),
    (rf"write yes or no, not {WORD}", _l("write yes or no, not %(value)s")),
    (r"required, with texts in fi, sv, en", _l("give the text in Finnish, Swedish and English")),
    (
        r"must map languages \(fi, sv, en\) to text",
        _l("give the text in Finnish, Swedish and English"),
    ),
    (
        r"required, lowercase letters, digits, '-' or '_' \(at most 64\)",
        _l("required: lowercase letters a–z, digits, - or _ (at most 64)"),
    ),
    (
        r"required, lowercase letters, digits and '_' \(at most 64\)",
        _l("required: lowercase letters a–z, digits and _ (at most 64)"),
    ),
    (r"required, a whole number from 1 to (?P<max>\d+)", _l("a whole number from 1 to %(max)s")),
    (r"a whole number, or empty", _l("a whole number, or empty")),
    (r"required, a non-empty list", _l("at least one is needed")),
    (r"a non-empty list of options", _l("the list has no options")),
    (r"must be a mapping.*", _l("this part is not in the expected shape")),
    (
        r"a scale's name is lowercase letters, digits and '_'",
        _l("a list's name is lowercase letters a–z, digits and _"),
    ),
    (rf"duplicate section code {WORD}", _l("the group name %(value)s is used twice")),
    (rf"duplicate item code {WORD}", _l("the question name %(value)s is used twice")),
    (rf"duplicate option value {WORD}", _l("the option name %(value)s is used twice in its list")),
    (r"required text \(quote yes/no in YAML\)", _l("the option's name is missing")),
    (r"give either options or scale, not both", _l("give either options or a scale, not both")),
    (rf"unknown scale {WORD}", _l("no list %(value)s")),
    (r"a choice item needs options or a scale", _l("a choice question needs a list of options")),
    (r"options and scale are only for choice items", _l("only a choice question has options")),
    (r"only for text items", _l("only a text question has this limit")),
    (r"only for number items", _l("only a number question has this limit")),
    (r"must be a whole number of at least 1", _l("a whole number of at least 1")),
    (r"at most (?P<max>\d+)", _l("at most %(max)s")),
    (r"must be a number", _l("a number")),
    (r"min is greater than max", _l("the smallest allowed number is greater than the largest")),
    (rf"{WORD} is not one of (?P<known>unit\..*)", _l("%(value)s is not one of %(known)s")),
    (rf"{WORD} is not one of (?P<known>.*)", _l("the type %(value)s is not one of %(known)s")),
    (
        r"the workbook is too large for a questionnaire",
        _l("the workbook is too large for a questionnaire"),
    ),
    (r"not an XLSX workbook.*", _l("the file is not a readable XLSX workbook")),
    (r"more than (?P<max>\d+) rows", _l("more than %(max)s rows")),
    (
        r"the workbook has no sheet named (?P<value>.*)",
        _l("the workbook has no sheet named %(value)s"),
    ),
    (
        r"row 2 names the questionnaire \(form_id\)",
        _l("row 2 gives the questionnaire's form_id and titles"),
    ),
    (r"the list's name is missing", _l("the list's name (list_name) is missing")),
    (
        r"groups are sections and do not nest",
        _l("a group is a section: end the group above (end_group) before a new one"),
    ),
    (r"no group to end", _l("there is no group (begin_group) to end")),
    (
        r"every question is in a group \(begin_group above\)",
        _l("every question belongs to a group: add a begin_group row above it"),
    ),
    (r"the group has no end_group", _l("the group is not ended: add an end_group row")),
    (r"no questions \(.*\)", _l("there are no questions")),
    (
        r"name the choice list, e\.g\. '(?P<value>.*)'",
        _l("name the list of options after the type, e.g. %(value)s"),
    ),
    (rf"no list {WORD} in the choices sheet", _l("the choices sheet has no list %(value)s")),
    (
        rf"{WORD}: write .*joined by 'and'",
        _l("%(value)s: write . >= N, . <= N or string-length(.) <= N, joined by and"),
    ),
    (r"larger than (?P<max>\d+) MB", _l("larger than %(max)s MB")),
    (r"give a \.xlsx or \.yaml file", _l("give an .xlsx or a .yaml file")),
    (r"the file is not UTF-8 text", _l("the file is not UTF-8 text")),
    (r"YAML syntax error: .*", _l("the YAML is not well formed here")),
]
_PATTERNS = [(re.compile(rf"^(?:(?P<place>.*?): )?{english}$"), text) for english, text in PROBLEMS]
CELL_RE = re.compile(r"^(?P<sheet>\w+) sheet(?:, row (?P<row>\d+))?(?:, column (?P<column>.+))?$")
LINE_RE = re.compile(r"^(?P<file>.*):(?P<line>\d+):(?P<column>\d+)$")


def problem_texts(errors: list[str]) -> list[str]:
    return [problem_text(error) for error in errors]


def problem_text(error: str) -> str:
    for pattern, text in _PATTERNS:
        match = pattern.match(error)
        if match:
            params = {k: v for k, v in match.groupdict().items() if k != "place"}
            problem = str(text % params) if params else str(text)
            place = match["place"]
            return f"{_place(place)}: {problem}" if place else problem
    return error


def _place(place: str) -> str:
    if match := CELL_RE.match(place):
        if match["column"]:
            return _(
                "sheet %(sheet)s, row %(row)s, column %(column)s",
                sheet=match["sheet"],
                row=match["row"],
                column=match["column"],
            )
        if match["row"]:
            return _("sheet %(sheet)s, row %(row)s", sheet=match["sheet"], row=match["row"])
        return _("sheet %(sheet)s", sheet=match["sheet"])
    if match := LINE_RE.match(place):
        return _("%(file)s, line %(line)s, column %(column)s", **match.groupdict())
    return place
