package io.connectivityproxy.tunnel.channel;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.connectivityproxy.tunnel.channel.ServiceMappingReader.Resource;

/**
 * The documents of a mappings file: YAML (so JSON too), one or more documents separated by
 * {@code ---}, as {@code kubectl apply -f} takes them. Pure. A file is read whole or not at all:
 * one syntax error anywhere, or a key given twice in one mapping, makes the whole file unusable.
 */
final class MappingFile {

    /** Larger files are refused: a ConfigMap holds at most 1 MiB, and SnakeYAML stops at 3 Mi code points. */
    static final int MAX_BYTES = 2 * 1024 * 1024;

    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** The content is not YAML; the message says why and where, without quoting the file. */
    static final class NotYamlException extends Exception {
        NotYamlException(String message) {
            super(message);
        }
    }

    private MappingFile() {}

    /** Each document as a {@link Resource} named "document N"; empty documents are null nodes. */
    static List<Resource> documents(byte[] content) throws NotYamlException {
        if (content.length > MAX_BYTES) {
            throw new NotYamlException(
                    "the file has " + content.length + " bytes, more than the " + MAX_BYTES + " allowed");
        }
        List<Resource> documents = new ArrayList<>();
        // Through a parser the caller owns: ObjectReader.readValues would unwrap a top-level
        // sequence into separate documents.
        try (JsonParser parser = YAML.getFactory().createParser(content)) {
            MappingIterator<JsonNode> values = YAML.readValues(parser, JsonNode.class);
            while (values.hasNextValue()) {
                documents.add(new Resource("document " + (documents.size() + 1), values.nextValue()));
            }
        } catch (JsonProcessingException e) {
            throw new NotYamlException("not valid YAML: " + describe(e));
        } catch (IOException e) {
            throw new NotYamlException("not readable as YAML: " + Untrusted.text(e.getMessage(), 300));
        }
        return documents;
    }

    // SnakeYAML's messages quote the offending lines below their headings: keep only the headings.
    private static String describe(JsonProcessingException e) {
        String original = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        String headings = original.lines()
                .filter(line -> !line.isBlank() && !Character.isWhitespace(line.charAt(0)))
                .collect(Collectors.joining("; "));
        JsonLocation location = e.getLocation();
        String where = location == null || location.getLineNr() < 1
                ? ""
                : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
        return Untrusted.text(headings, 300) + where;
    }
}
