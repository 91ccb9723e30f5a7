package io.jnatsd.server.config;

import io.jnatsd.conf.ConfException;
import java.util.List;

/**
 * All the errors found while mapping a config file onto {@link ServerOptions}, as upstream reports them together.
 * Its own file/line/column are those of the first error; {@link #getMessage()} lists the warnings and then the
 * errors, one per line, each as {@code file:line:column: message} (upstream's layout).
 */
public class ConfigException extends ConfException {
    private final List<ConfException> errors;
    private final List<String> warnings;

    public ConfigException(List<ConfException> errors, List<String> warnings) {
        super(first(errors).getFile(), first(errors).getLine(), first(errors).getColumn(), first(errors).getReason());
        this.errors = List.copyOf(errors);
        this.warnings = List.copyOf(warnings);
    }

    private static ConfException first(List<ConfException> errors) {
        if (errors.isEmpty()) throw new IllegalArgumentException("no errors");
        return errors.get(0);
    }

    public List<ConfException> getErrors() {
        return errors;
    }

    public List<String> getWarnings() {
        return warnings;
    }

    @Override
    public String getMessage() {
        StringBuilder sb = new StringBuilder();
        for (String w : warnings) sb.append(w).append('\n');
        for (ConfException e : errors) sb.append(e.getMessage()).append('\n');
        sb.setLength(sb.length() - 1);
        return sb.toString();
    }
}
