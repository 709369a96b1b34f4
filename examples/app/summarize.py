"""Summarise clinical notes with an LLM for the patient portal (demo code)."""

from openai import OpenAI

SYSTEM_PROMPT = (
    "You rewrite clinical notes in plain language for patients. "
    "Keep medication names and doses exactly as written."
)

# Fixture used by the smoke test below: a tiny note so the call stays cheap.
SAMPLE_NOTE = "Patient: Jane Roe, DOB 02/03/1971, MRN 00917734\nDx: community-acquired pneumonia (J18.9), improving on amoxicillin 1 g three times daily."


def build_messages(note: str) -> list[dict[str, str]]:
    """The chat messages for one note."""
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"Summarise this note for the patient:\n\n{note}"},
    ]


def summarize(note: str, client: OpenAI | None = None) -> str:
    """A plain-language summary of ``note``."""
    client = client or OpenAI()
    response = client.chat.completions.create(model="gpt-4o", messages=build_messages(note), temperature=0.2)
    return response.choices[0].message.content or ""


if __name__ == "__main__":
    print(summarize(SAMPLE_NOTE))
