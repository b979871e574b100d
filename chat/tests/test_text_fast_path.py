"""``text_message_fields`` (a socket's text frame checked without building the serializer) never
disagrees with ``ChatMessageSendInputSerializer``: when it answers, the serializer accepts the same
payload with the same data; whatever the serializer refuses, it leaves to the serializer."""

import uuid

from hypothesis import given, settings, strategies as st

from chat.serializers import ChatMessageSendInputSerializer, text_message_fields

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5)
contents = (
    st.text(max_size=40)
    | st.text(alphabet=" \t\n가나다abc\x00", max_size=12)
    # Hypothesis does not draw lone surrogates, which JSON can carry.
    | st.sampled_from(["a\ud800b", "\udfff", " \ud83d "])
    | st.integers(min_value=1990, max_value=2010).map(lambda n: "가" * n)
    | st.integers(min_value=1995, max_value=2005).map(lambda n: " " + "a" * n + "  ")
    | json_scalars
)
payloads = st.fixed_dictionaries(
    {},
    optional={
        "type": st.just("message"),
        "message_type": st.sampled_from(["text", "image", "system", "", "TEXT"]) | json_scalars,
        "content": contents,
        "attachments": st.just([]) | st.lists(st.uuids().map(str), max_size=2) | json_scalars | st.just({}),
        "extra": json_scalars,
    },
)


@settings(max_examples=600, deadline=None)
@given(payloads)
def test_the_fast_path_answers_only_as_the_serializer_would(payload):
    fast = text_message_fields(payload)
    serializer = ChatMessageSendInputSerializer(data={k: v for k, v in payload.items() if k != "type"})
    if fast is not None:
        assert serializer.is_valid(), serializer.errors
        assert fast == dict(serializer.validated_data)


def test_the_fast_path_takes_the_frames_a_chat_sends():
    assert text_message_fields({"type": "message", "content": "  안녕하세요 \n"}) == {
        "message_type": "text", "content": "안녕하세요", "attachments": [],
    }
    assert text_message_fields({"type": "message", "message_type": "text", "content": "hi", "attachments": []})
    # Anything else goes to the serializer.
    assert text_message_fields({"message_type": "image", "attachments": [str(uuid.uuid4())]}) is None
    assert text_message_fields({"content": "x" * 2001}) is None
    assert text_message_fields({"content": 5}) is None
    assert text_message_fields({"content": "a\x00b"}) is None
    assert text_message_fields({"content": "a\ud800b"}) is None
