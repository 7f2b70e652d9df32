"""The one exception type the compiler raises for problems in the user's input."""


def printable(text) -> str:
    """TEXT with every character a terminal could act on escaped (newlines,
    escape sequences, other control and format characters, lone surrogates
    from undecodable paths, shown as the byte \\xNN), so that a message stays
    one harmless line that can be printed and saved as UTF-8.
    Backslashes are doubled to keep the escaping unambiguous."""
    return "".join(_escaped(c) for c in str(text))


def _escaped(c: str) -> str:
    if c.isprintable() and c != "\\":
        return c
    code = ord(c)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of an undecodable file name, as Python keeps it
        return f"\\x{code - 0xDC00:02x}"
    return c.encode("unicode_escape", "backslashreplace").decode("ascii")


class SNNCError(Exception):
    """A problem with the model or the options, reported as one line.

    The message names the file and, where there is one, the node; the CLI
    prints it without a traceback and exits with status 1. `path`, `node` and
    `problem` keep the raw text; the message shows it escaped (`printable`),
    since node names and paths come from the untrusted file or its name.
    """

    def __init__(self, message, *, path=None, node=None):
        self.path = str(path) if path is not None else None
        self.node = node
        self.problem = message
        where = []
        if self.path:
            where.append(printable(self.path))
        if node:
            where.append(f"node '{printable(node)}'")
        super().__init__(": ".join(where + [printable(message)]))
