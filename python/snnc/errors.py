"""The one exception type the compiler raises for problems in the user's input."""


def printable(text) -> str:
    """TEXT with every character a terminal could act on escaped (newlines,
    escape sequences, other control and format characters, lone surrogates
    from undecodable paths), so that a message stays one harmless line.
    Backslashes are doubled to keep the escaping unambiguous."""
    return "".join(c if c.isprintable() and c != "\\"
                   else c.encode("unicode_escape", "backslashreplace").decode("ascii")
                   for c in str(text))


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
