"""A small question-answering chain, traced with Spanscope.

Run it in a VS Code terminal with the Spanscope extension active: the extension puts the SDK on
PYTHONPATH and points SPANSCOPE_URL at its collector, so nothing needs setting up. The trace
shows llm_chain with its three steps nested under it, the LLM call with its model and token
usage, and the failed citation lookup with its traceback. The chain waits for Enter before it
ends, so the trace can be seen running.
"""

import sys
import time

from spanscope import context, track

DOCUMENTS = {
    "spanscope": "Spanscope shows traces of LLM apps in VS Code, live, on this machine.",
    "scores": "Any span can be scored from the sidebar or the panel.",
}


@track
def retrieve_context(question):
    words = question.lower().split()
    return [text for key, text in DOCUMENTS.items() if any(key in word for word in words)]


@track(type="llm")
def generate_response(question, documents):
    # No LLM is reachable here, so the answer is made up; the span still looks like an LLM call.
    answer = f"{documents[0]} (answering: {question})" if documents else "I don't know."
    context.update_current_span(
        model="gpt-4o-mini",
        provider="openai",
        usage={"prompt_tokens": 42, "completion_tokens": 17, "total_tokens": 59},
    )
    return answer


@track
def lookup_citation(source):
    return DOCUMENTS[source]


def wait_while_running():
    """Keep llm_chain running, so its trace can be watched live: in a terminal until Enter is
    pressed (as long as the watcher likes), elsewhere for two seconds."""
    if sys.stdin.isatty():
        input("llm_chain is running: look at its trace, then press Enter to finish. ")
    else:
        time.sleep(2)


@track
def llm_chain(question):
    documents = retrieve_context(question)
    answer = generate_response(question, documents)
    try:
        citation = lookup_citation("wikipedia")
    except KeyError:
        citation = None
    wait_while_running()
    return {"answer": answer, "citation": citation}


if __name__ == "__main__":
    # A question on the command line makes a different answer (the editor flow compares two calls).
    print(llm_chain(sys.argv[1] if len(sys.argv) > 1 else "What does spanscope do?"))
