"""Schemathesis hooks for mpconnect's fuzzing run (loaded through SCHEMATHESIS_HOOKS)."""
import re

import schemathesis

# What a leaked Java stack trace or exception looks like in a body.
_STACK_TRACE = re.compile(
    r"(\bat [\w$.]+\([\w$]+\.java:\d+\)"          # a stack frame
    r"|\b(java|javax|jakarta|io\.temporal|io\.javalin|org\.eclipse|com\.fasterxml)\.[\w.$]*(Exception|Error)\b"
    r"|\bCaused by: "
    r"|\bStatusRuntimeException\b"
    r"|\bNullPointerException\b)"
)


@schemathesis.check
def no_stack_trace_in_body(ctx, response, case):
    """No answer, whatever was sent, may carry a stack trace or an exception's class name."""
    text = response.text or ""
    match = _STACK_TRACE.search(text)
    if match:
        raise AssertionError(
            f"Stack trace or exception in the response body: {match.group(0)!r}"
        )
    return None
