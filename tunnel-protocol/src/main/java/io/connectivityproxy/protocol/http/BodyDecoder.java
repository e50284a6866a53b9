package io.connectivityproxy.protocol.http;

/**
 * Takes a message body off an HTTP/1.1 connection as it arrives: counts a Content-Length body,
 * strips chunked framing (RFC 9112 section 7.1) and its trailer section, or takes everything up
 * to the connection's end. Content is reported as index ranges of the caller's input, so the
 * caller can pass on slices without copying. A state machine without I/O.
 *
 * <p>Trailer fields are read and dropped: a recipient may discard them (RFC 9110 section 6.5.1)
 * and the tunnel does not carry them.
 */
public final class BodyDecoder {

    /** Receives content as {@code [from, to)} ranges of the input being decoded. */
    @FunctionalInterface
    public interface Sink {
        void content(int from, int to);
    }

    /** The longest chunk-size line or trailer line accepted, extensions included. */
    static final int MAX_LINE = 4096;
    /** The largest trailer section accepted. */
    static final int MAX_TRAILERS = 16 * 1024;

    private enum State {
        SIZE,
        SIZE_BWS,
        EXTENSION,
        SIZE_LF,
        DATA,
        DATA_CR,
        DATA_LF,
        TRAILER_START,
        TRAILER,
        TRAILER_LF,
        LENGTH,
        UNTIL_CLOSE,
        DONE
    }

    private State state;
    private long remaining;
    private boolean sawDigit;
    private int lineLength;
    private int trailerBytes;
    private long contentBytes;

    public BodyDecoder(BodyFraming framing) {
        switch (framing.kind()) {
            case NONE:
                state = State.DONE;
                break;
            case LENGTH:
                remaining = framing.length();
                state = remaining == 0 ? State.DONE : State.LENGTH;
                break;
            case CHUNKED:
                state = State.SIZE;
                break;
            default:
                state = State.UNTIL_CLOSE;
                break;
        }
    }

    /** True once the body is complete; bytes after it belong to the next message. */
    public boolean done() {
        return state == State.DONE;
    }

    /** Content bytes delivered so far. */
    public long contentBytes() {
        return contentBytes;
    }

    /**
     * Decodes {@code in[from, to)}. Returns the index where it stopped: {@code to}, or less when
     * the body ended inside the input.
     */
    public int decode(Http1Parser.Bytes in, int from, int to, Sink sink) throws HttpException {
        int i = from;
        while (i < to && state != State.DONE) {
            switch (state) {
                case LENGTH: {
                    int n = (int) Math.min(remaining, to - i);
                    deliver(sink, i, i + n);
                    i += n;
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.DONE;
                    }
                    break;
                }
                case UNTIL_CLOSE:
                    deliver(sink, i, to);
                    i = to;
                    break;
                case DATA: {
                    int n = (int) Math.min(remaining, to - i);
                    deliver(sink, i, i + n);
                    i += n;
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.DATA_CR;
                    }
                    break;
                }
                default:
                    framing(in.at(i));
                    i++;
                    break;
            }
        }
        return i;
    }

    /** The connection ended: completes a body delimited by the close, else fails. */
    public void end() throws HttpException {
        if (state == State.UNTIL_CLOSE) {
            state = State.DONE;
        } else if (state != State.DONE) {
            throw new HttpException(400, "the connection closed before the body was complete");
        }
    }

    private void deliver(Sink sink, int from, int to) {
        if (to > from) {
            contentBytes += to - from;
            sink.content(from, to);
        }
    }

    /** One byte of chunk framing. */
    private void framing(byte b) throws HttpException {
        switch (state) {
            case SIZE:
                if (hex(b) >= 0) {
                    if (remaining > (Long.MAX_VALUE >> 4)) {
                        throw new HttpException(400, "chunk size too large");
                    }
                    remaining = remaining * 16 + hex(b);
                    sawDigit = true;
                    line();
                } else if (!sawDigit) {
                    throw new HttpException(400, "malformed chunk size");
                } else if (b == ';') {
                    state = State.EXTENSION;
                    line();
                } else if (b == ' ' || b == '\t') {
                    state = State.SIZE_BWS;
                    line();
                } else {
                    endOfSizeLine(b);
                }
                break;
            case SIZE_BWS:
                // Only BWS then ';' may follow the size (RFC 9112 section 7.1.1): "5 6" is not 5.
                if (b == ';') {
                    state = State.EXTENSION;
                    line();
                } else if (b == ' ' || b == '\t') {
                    line();
                } else {
                    endOfSizeLine(b);
                }
                break;
            case EXTENSION:
                if (b == '\r' || b == '\n') {
                    endOfSizeLine(b);
                } else if ((b >= 0 && b < ' ' && b != '\t') || b == 0x7f) {
                    throw new HttpException(400, "control character in a chunk extension");
                } else {
                    line();
                }
                break;
            case SIZE_LF:
                expectLf(b, "chunk size line");
                startChunk();
                break;
            case DATA_CR:
                if (b == '\n') {
                    state = State.SIZE;
                    sawDigit = false;
                } else if (b == '\r') {
                    state = State.DATA_LF;
                } else {
                    throw new HttpException(400, "chunk data longer than its size");
                }
                break;
            case DATA_LF:
                expectLf(b, "chunk data");
                state = State.SIZE;
                sawDigit = false;
                break;
            case TRAILER_START:
                if (b == '\n') {
                    state = State.DONE;
                } else if (b == '\r') {
                    state = State.TRAILER_LF;
                    lineLength = 0;
                } else {
                    state = State.TRAILER;
                    trailer(b);
                }
                break;
            case TRAILER_LF:
                expectLf(b, "trailer section");
                state = lineLength == 0 ? State.DONE : State.TRAILER_START;
                break;
            case TRAILER:
                if (b == '\n') {
                    state = State.TRAILER_START;
                } else if (b == '\r') {
                    state = State.TRAILER_LF;
                    lineLength = 1;
                } else {
                    trailer(b);
                }
                break;
            default:
                throw new IllegalStateException(state.name());
        }
    }

    private void endOfSizeLine(byte b) throws HttpException {
        if (b == '\r') {
            state = State.SIZE_LF;
        } else if (b == '\n') {
            startChunk();
        } else {
            throw new HttpException(400, "malformed chunk size");
        }
    }

    private void startChunk() {
        lineLength = 0;
        sawDigit = false;
        if (remaining == 0) {
            state = State.TRAILER_START;
        } else {
            state = State.DATA;
        }
    }

    private void trailer(byte b) throws HttpException {
        if (b == 0) {
            throw new HttpException(400, "NUL in a trailer field");
        }
        if (++trailerBytes > MAX_TRAILERS) {
            throw new HttpException(400, "trailer section exceeds " + MAX_TRAILERS + " bytes");
        }
    }

    private void line() throws HttpException {
        if (++lineLength > MAX_LINE) {
            throw new HttpException(400, "chunk size line exceeds " + MAX_LINE + " bytes");
        }
    }

    private void expectLf(byte b, String what) throws HttpException {
        if (b != '\n') {
            throw new HttpException(400, "bare CR in " + what);
        }
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }
}
