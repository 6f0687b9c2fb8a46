"""Reading an uploaded document in a process of its own, with a time and a memory limit.

PDF and DOCX libraries can be made to work for minutes or to unpack gigabytes by a file of
a few kilobytes (a 1.3 KB DOCX with a huge ``gridSpan`` once took 93 s). Read in the bot's
own process, such a file would stall every supporter's update, and the database's write
lock with them. Here it is read in a child process that is killed when it runs over
``PARSE_SECONDS`` or is refused memory beyond ``PARSE_MEMORY_BYTES``; the organiser is
told the file is too large or too complex, in their language.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
from multiprocessing.connection import Connection
from typing import Any

from uareader.document import UADocumentError, UADraft, parse_document
from uareader.extract import too_complex
from uareader.phrases import Phrase

#: A UA document is read in well under a second (benchmarks/bench_parse.py: 12 ms).
PARSE_SECONDS = 20.0
#: The reader's own needs are about 150 MB (Python, pypdf, python-docx, the document).
PARSE_MEMORY_BYTES = 1024 * 1024 * 1024


def _read_in_child(document: Connection, connection: Connection, filename: str) -> None:
    """The child process: limit its memory, take the document, read it, send back what
    came of it."""
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource  # not on every platform; where it is missing only the time limit holds

        resource.setrlimit(resource.RLIMIT_AS, (PARSE_MEMORY_BYTES, PARSE_MEMORY_BYTES))
    content = document.recv_bytes()
    document.close()
    result: tuple[str, Any, str]
    try:
        result = ("draft", parse_document(filename, content), "")
    except UADocumentError as error:
        result = ("refused", error.phrase, error.filename)
    except Exception:  # MemoryError above all: the limit was reached
        result = ("refused", too_complex(), filename)
    connection.send(result)
    connection.close()


class DocumentReader:
    """Reads documents one at a time, each in a fresh process (a crafted file can leave
    nothing behind in the next one's)."""

    def __init__(self, seconds: float = PARSE_SECONDS, at_once: int = 1) -> None:
        self.seconds = seconds
        self._turns = asyncio.Semaphore(at_once)

    async def read(self, filename: str, content: bytes) -> UADraft:
        """The draft the document holds; ``UADocumentError`` when it is none, or when it
        is too large or too complex to read within the limits."""
        async with self._turns:
            outcome, value, named = await asyncio.to_thread(self._read, filename, content)
        if outcome == "draft":
            return value  # type: ignore[no-any-return]
        raise UADocumentError(value if isinstance(value, Phrase) else too_complex(), named)

    def _read(self, filename: str, content: bytes) -> tuple[str, Any, str]:
        # "spawn": a forked copy of this process would carry its threads' locks along.
        context = multiprocessing.get_context("spawn")
        receiving, sending = context.Pipe(duplex=False)
        document_in, document_out = context.Pipe(duplex=False)
        # The document goes down a pipe of its own once the child runs, not with its start:
        # start() writes its arguments while holding the pipe's other end itself, so a child
        # that died before reading them all (over 64 KB) left it, and this thread, waiting
        # forever (seen once in the suite). Here a dead child's pipe raises at once.
        child = context.Process(
            target=_read_in_child, args=(document_in, sending, filename), daemon=True
        )
        child.start()
        sending.close()
        document_in.close()
        try:
            document_out.send_bytes(content)
            if receiving.poll(self.seconds):
                return receiving.recv()  # type: ignore[no-any-return]
            return ("refused", too_complex(), filename)
        except (EOFError, OSError):  # the child died: killed for its memory, or before it began
            return ("refused", too_complex(), filename)
        finally:
            if child.is_alive():
                child.kill()
            child.join(5)
            receiving.close()
            document_out.close()
