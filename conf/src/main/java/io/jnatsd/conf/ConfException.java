package io.jnatsd.conf;

/**
 * A configuration error with its location.
 * {@link #getMessage()} reads like upstream nats-server's configuration errors: {@code file.conf:3:7: message}.
 * Without a file name (text parsed from a string) it reads {@code 3:7: message}; an error that has no position
 * (line 0, e.g. a file that cannot be opened) is just the message.
 */
public class ConfException extends Exception {
    private final String file;
    private final int line;
    private final int column;
    private final String reason;

    public ConfException(String file, int line, int column, String reason) {
        super(reason);
        this.file = file;
        this.line = line;
        this.column = column;
        this.reason = reason;
    }

    public ConfException(Position position, String reason) {
        this(position == null ? null : position.file(),
                position == null ? 0 : position.line(),
                position == null ? 0 : position.column(), reason);
    }

    /** The file name as given to the parser, or {@code null}. */
    public String getFile() {
        return file;
    }

    /** 1-based line, or 0 when the error has no position. */
    public int getLine() {
        return line;
    }

    /** 1-based column, or 0 when the error has no position. */
    public int getColumn() {
        return column;
    }

    /** The message without the location. */
    public String getReason() {
        return reason;
    }

    /** The location, or {@code null} when the error has none. */
    public Position getPosition() {
        return line <= 0 ? null : new Position(file, line, column);
    }

    @Override
    public String getMessage() {
        Position p = getPosition();
        return p == null ? reason : p + ": " + reason;
    }
}
