package io.connectivityproxy.protocol.http;

/**
 * An HTTP/1.1 message that cannot be accepted, with the status a server answers it with
 * (400, 431, 501, 505). For a response read from a backend the status is only a hint: the
 * intermediary answers its client 502.
 */
public final class HttpException extends Exception {

    private final int status;

    public HttpException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
