"""The UA document reader: text, PDF and DOCX Urgent Actions into drafts (UADraft).

The bottom layer of uabot: it knows nothing of Telegram, the database or the people who
read its messages, so the chat, the command line and the benchmarks all read a document
the same way."""
