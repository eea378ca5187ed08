package io.tern.server.signaling;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON of signaling messages: Jackson's tree model over a strictly configured parser, because
 * every message comes from an untrusted client.
 *
 * <ul>
 *   <li>A member given twice is an error, not "the last one wins": two parts of a system must
 *       never read different values out of one message.
 *   <li>Nesting is limited to {@value #MAX_DEPTH} levels, numbers to {@value #MAX_NUMBER_CHARS}
 *       digits, and a document and each string to the message size limit, so no message costs
 *       more than its size in memory or time.
 *   <li>Anything after the object (a second document, trailing garbage) is an error.
 * </ul>
 *
 * Thread-safe once built; one per {@link Signaling}.
 */
final class Json {
    /** An SDP in a payload is two levels deep; candidates three. 32 leaves room and stops stack abuse. */
    static final int MAX_DEPTH = 32;

    static final int MAX_NUMBER_CHARS = 64;

    private final ObjectMapper mapper;

    Json(int maxMessageBytes) {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_DEPTH)
                        .maxNumberLength(MAX_NUMBER_CHARS)
                        .maxStringLength(maxMessageBytes)
                        .maxNameLength(maxMessageBytes)
                        .maxDocumentLength(maxMessageBytes)
                        .build())
                .streamWriteConstraints(StreamWriteConstraints.builder()
                        .maxNestingDepth(MAX_DEPTH + 4)
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.mapper = JsonMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .build();
    }

    /**
     * One JSON value from a message's text.
     *
     * @throws JsonProcessingException when it is not exactly one well-formed JSON value within the
     *     limits
     */
    JsonNode parse(String text) throws JsonProcessingException {
        return mapper.readTree(text);
    }

    ObjectNode object() {
        return mapper.createObjectNode();
    }

    /** A message's text; only called with trees built here or parsed within the limits. */
    String write(JsonNode node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree built from parsed JSON must serialize", e);
        }
    }
}
