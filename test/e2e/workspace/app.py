"""A small question-answering chain, traced with Spanscope.

Run it in a VS Code terminal with the Spanscope extension active: the extension puts the SDK on
PYTHONPATH and points SPANSCOPE_URL at its collector, so nothing needs setting up. The trace
shows llm_chain with its three steps nested under it, the LLM call with its model and token
usage, and the failed citation lookup with its traceback.
"""

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


@track
def llm_chain(question):
    documents = retrieve_context(question)
    answer = generate_response(question, documents)
    try:
        citation = lookup_citation("wikipedia")
    except KeyError:
        citation = None
    # Think a little, so the trace stays visibly running for a moment.
    time.sleep(2)
    return {"answer": answer, "citation": citation}


if __name__ == "__main__":
    print(llm_chain("What does spanscope do?"))
