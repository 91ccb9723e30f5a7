package io.jnatsd.server.config;

import io.jnatsd.conf.ConfException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/**
 * The command line, with upstream nats-server's flags and semantics.
 *
 * <p>Upstream uses Go's {@code flag} package, so every flag may be written with one or two dashes, and a value
 * either as {@code -flag=value} or {@code -flag value}; boolean flags take a value only as {@code -flag=false};
 * flag parsing stops at the first non-flag argument or at {@code --}; a flag may be repeated (the last wins).
 * Those rules are applied first (with Go's error messages), then the normalised flags are bound with a picocli
 * model that has POSIX clustering turned off (so {@code -js}, {@code -DV}, {@code -sd} are flags of their own).
 *
 * <p>As upstream, the config file ({@code -c}) is applied first and the flags after it, so flags win.
 * Nothing here prints or exits: the result is a {@link ParsedCommandLine}.
 */
public final class ServerCommandLine {

    private ServerCommandLine() {
    }

    private enum Kind { BOOL, INT, INT64, STRING }

    /** One Go flag variable and all the names bound to it. */
    private record Flag(String dest, Kind kind, List<String> names) {
    }

    private static final List<Flag> FLAGS = List.of(
            flag("help", Kind.BOOL, "h", "help"),
            flag("port", Kind.INT, "port", "p"),
            flag("server_name", Kind.STRING, "n", "name", "server_name"),
            flag("addr", Kind.STRING, "addr", "a", "net"),
            flag("client_advertise", Kind.STRING, "client_advertise"),
            flag("debug", Kind.BOOL, "D", "debug"),
            flag("trace", Kind.BOOL, "V", "trace"),
            flag("VV", Kind.BOOL, "VV"),
            flag("DV", Kind.BOOL, "DV"),
            flag("DVV", Kind.BOOL, "DVV"),
            flag("logtime", Kind.BOOL, "T", "logtime"),
            flag("logtime_utc", Kind.BOOL, "logtime_utc"),
            flag("user", Kind.STRING, "user"),
            flag("pass", Kind.STRING, "pass"),
            flag("auth", Kind.STRING, "auth"),
            flag("http_port", Kind.INT, "m", "http_port"),
            flag("https_port", Kind.INT, "ms", "https_port"),
            flag("config", Kind.STRING, "c", "config"),
            flag("t", Kind.BOOL, "t"),
            flag("signal", Kind.STRING, "sl", "signal"),
            flag("pid", Kind.STRING, "P", "pid"),
            flag("ports_file_dir", Kind.STRING, "ports_file_dir"),
            flag("log", Kind.STRING, "l", "log"),
            flag("log_size_limit", Kind.INT64, "log_size_limit"),
            flag("syslog", Kind.BOOL, "s", "syslog"),
            flag("remote_syslog", Kind.STRING, "r", "remote_syslog"),
            flag("version", Kind.BOOL, "version", "v"),
            flag("profile", Kind.INT, "profile"),
            flag("routes", Kind.STRING, "routes"),
            flag("cluster", Kind.STRING, "cluster", "cluster_listen"),
            flag("cluster_advertise", Kind.STRING, "cluster_advertise"),
            flag("no_advertise", Kind.BOOL, "no_advertise"),
            flag("connect_retries", Kind.INT, "connect_retries"),
            flag("cluster_name", Kind.STRING, "cluster_name"),
            flag("help_tls", Kind.BOOL, "help_tls"),
            flag("tls", Kind.BOOL, "tls"),
            flag("tlsverify", Kind.BOOL, "tlsverify"),
            flag("tlscert", Kind.STRING, "tlscert"),
            flag("tlskey", Kind.STRING, "tlskey"),
            flag("tlscacert", Kind.STRING, "tlscacert"),
            flag("max_traced_msg_len", Kind.INT, "max_traced_msg_len"),
            flag("jetstream", Kind.BOOL, "js", "jetstream"),
            flag("store_dir", Kind.STRING, "sd", "store_dir"));

    private static final Map<String, Flag> BY_NAME = new LinkedHashMap<>();

    static {
        for (Flag f : FLAGS) for (String n : f.names()) BY_NAME.put(n, f);
    }

    private static Flag flag(String dest, Kind kind, String... names) {
        return new Flag(dest, kind, List.of(names));
    }

    /** Thrown by the Go-rules pass: a flag error, which upstream answers with the usage. */
    private static final class FlagError extends Exception {
        FlagError(String message) {
            super(message, null, false, false);
        }
    }

    /** The result of the Go-rules pass. */
    private record Normalized(List<String> flags, List<String> positional) {
    }

    // ---- parsing -----------------------------------------------------------------------------------

    /** Parses the arguments (without the program name) and loads the config file they name. */
    public static ParsedCommandLine parse(String... args) {
        Normalized normalized;
        try {
            normalized = normalize(args);
        } catch (FlagError e) {
            return new ParsedCommandLine(ParsedCommandLine.Action.HELP, null, null, e.getMessage(), List.of());
        }
        Map<String, Object> set = bind(normalized);

        if (Boolean.TRUE.equals(set.get("version"))) return result(ParsedCommandLine.Action.VERSION, null);
        if (Boolean.TRUE.equals(set.get("help"))) return result(ParsedCommandLine.Action.HELP, null);
        if (Boolean.TRUE.equals(set.get("help_tls"))) return result(ParsedCommandLine.Action.HELP_TLS, null);

        // bare words after the flags: only "version" and "help", as upstream
        if (!normalized.positional().isEmpty()) {
            String word = normalized.positional().get(0);
            switch (word.toLowerCase(Locale.ROOT)) {
                case "version" -> {
                    return result(ParsedCommandLine.Action.VERSION, null);
                }
                case "help" -> {
                    return result(ParsedCommandLine.Action.HELP, null);
                }
                default -> {
                    return error("unrecognized command: " + goQuote(word));
                }
            }
        }

        String signal = (String) set.get("signal");
        if (signal != null && !signal.isEmpty()) {
            String[] parts = signal.split("=", -1);
            if (parts.length > 2) {
                return error("invalid signal parameters: " + Arrays.asList(parts).subList(2, parts.length)
                        .toString().replace(",", ""));
            }
            if (!ParsedCommandLine.SIGNALS.contains(parts[0])) return error("unknown signal " + goQuote(parts[0]));
            return new ParsedCommandLine(ParsedCommandLine.Action.SIGNAL, null, signal, null, List.of());
        }

        ServerOptions options = new ServerOptions();
        boolean test = Boolean.TRUE.equals(set.get("t"));
        String config = (String) set.get("config");
        List<String> warnings = new ArrayList<>();
        if (config != null && !config.isEmpty()) {
            try {
                ConfigLoader.load(Path.of(config), options);
            } catch (ConfException e) {
                return error(e.getMessage());
            } catch (RuntimeException e) { // an unusable path
                return error("open " + config + ": " + e.getMessage());
            }
            warnings.addAll(options.warnings);
            if (test) {
                // -t is strict: upstream fails on warnings too, though not on ours about blocks jnatsd ignores
                List<String> strict = new ArrayList<>(warnings);
                strict.removeAll(options.ignoredBlockWarnings);
                if (!strict.isEmpty()) return error(String.join("\n", warnings));
                return new ParsedCommandLine(ParsedCommandLine.Action.TEST_CONFIG, options, null, null,
                        options.ignoredBlockWarnings);
            }
        } else if (test) {
            return error("must specify [-c, --config] option to check configuration file syntax");
        }

        String failure = applyFlags(set, options);
        if (failure != null) return error(failure);
        return new ParsedCommandLine(ParsedCommandLine.Action.RUN, options, null, null, warnings);
    }

    private static ParsedCommandLine result(ParsedCommandLine.Action action, ServerOptions options) {
        return new ParsedCommandLine(action, options, null, null, List.of());
    }

    private static ParsedCommandLine error(String message) {
        return new ParsedCommandLine(ParsedCommandLine.Action.ERROR, null, null, message, List.of());
    }

    /**
     * Go's flag rules: returns every flag as {@code --name=value} (booleans as true/false, numbers validated),
     * and the arguments after the flags.
     */
    private static Normalized normalize(String[] args) throws FlagError {
        List<String> flags = new ArrayList<>();
        int i = 0;
        while (i < args.length) {
            String s = args[i];
            if (s == null || s.length() < 2 || s.charAt(0) != '-') break;
            int dashes = 1;
            if (s.charAt(1) == '-') {
                dashes = 2;
                if (s.length() == 2) { // "--" ends the flags
                    i++;
                    break;
                }
            }
            String name = s.substring(dashes);
            if (name.isEmpty() || name.charAt(0) == '-' || name.charAt(0) == '=') {
                throw new FlagError("bad flag syntax: " + s);
            }
            i++;
            String value = null;
            int eq = name.indexOf('=', 1);
            if (eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Flag flag = BY_NAME.get(name);
            if (flag == null) throw new FlagError("flag provided but not defined: -" + name);
            if (flag.kind() == Kind.BOOL) {
                if (value == null) {
                    value = "true";
                } else {
                    Boolean b = goBool(value);
                    if (b == null) throw new FlagError("invalid boolean value " + goQuote(value) + " for -" + name + ": parse error");
                    value = b.toString();
                }
            } else {
                if (value == null && i < args.length) value = args[i++];
                if (value == null) throw new FlagError("flag needs an argument: -" + name);
                if (flag.kind() != Kind.STRING) {
                    long max = flag.kind() == Kind.INT ? Integer.MAX_VALUE : Long.MAX_VALUE;
                    long min = flag.kind() == Kind.INT ? Integer.MIN_VALUE : Long.MIN_VALUE;
                    value = Long.toString(goInt(value, name, min, max));
                }
            }
            flags.add("--" + name + "=" + value);
        }
        List<String> positional = new ArrayList<>(Arrays.asList(args).subList(i, args.length));
        return new Normalized(flags, positional);
    }

    /** Binds the normalised flags with picocli; returns the value of each flag given, by destination. */
    private static Map<String, Object> bind(Normalized normalized) {
        CommandSpec spec = spec();
        CommandLine cl = new CommandLine(spec);
        List<String> argv = new ArrayList<>(normalized.flags());
        argv.add("--");
        argv.addAll(normalized.positional());
        ParseResult pr = cl.parseArgs(argv.toArray(String[]::new));
        Map<String, Object> matched = new HashMap<>();
        for (OptionSpec o : pr.matchedOptions()) matched.put(BY_NAME.get(o.longestName().substring(2)).dest(), o.getValue());
        Map<String, Object> set = new LinkedHashMap<>(); // in FLAGS order, which applying them relies on
        for (Flag f : FLAGS) if (matched.containsKey(f.dest())) set.put(f.dest(), matched.get(f.dest()));
        return set;
    }

    /**
     * The picocli model of the flags: each Go flag variable is one option named by all its spellings, with one
     * dash and with two. Clustering of short options is off, {@code @files} are not expanded, and any value
     * (even one that looks like a flag) is accepted, as Go's flag package does.
     */
    static CommandSpec spec() {
        // no ${...} in any name or value: interpolation only cost start-up time on every name lookup
        CommandSpec spec = CommandSpec.create().interpolateVariables(false);
        spec.parser()
                .posixClusteredShortOptionsAllowed(false)
                .expandAtFiles(false)
                .overwrittenOptionsAllowed(true)
                .allowOptionsAsOptionParameters(true)
                .unmatchedOptionsAllowedAsOptionParameters(true)
                .caseInsensitiveEnumValuesAllowed(false)
                .trimQuotes(false)
                .splitQuotedStrings(false)
                .stopAtPositional(true);
        for (Flag f : FLAGS) {
            List<String> names = new ArrayList<>();
            for (String n : f.names()) {
                names.add("--" + n);
                names.add("-" + n);
            }
            Class<?> type = switch (f.kind()) {
                case BOOL -> boolean.class;
                case INT -> int.class;
                case INT64 -> long.class;
                case STRING -> String.class;
            };
            spec.addOption(OptionSpec.builder(names.toArray(String[]::new)).type(type).arity("1").build());
        }
        spec.addPositional(PositionalParamSpec.builder().index("0..*").arity("0..*").type(String[].class).build());
        return spec;
    }

    // ---- applying the flags (after the config file) -------------------------------------------------

    /** Applies the flags given onto {@code o}; returns an error message or {@code null}. */
    private static String applyFlags(Map<String, Object> set, ServerOptions o) {
        for (Map.Entry<String, Object> e : set.entrySet()) {
            Object v = e.getValue();
            switch (e.getKey()) {
                case "port" -> o.port = (Integer) v;
                case "server_name" -> o.serverName = (String) v;
                case "addr" -> o.host = (String) v;
                case "client_advertise" -> o.clientAdvertise = (String) v;
                case "debug" -> o.debug = (Boolean) v;
                case "trace" -> o.trace = (Boolean) v;
                case "logtime" -> o.logtime = (Boolean) v;
                case "logtime_utc" -> o.logtimeUtc = (Boolean) v;
                case "user" -> o.username = (String) v;
                case "pass" -> o.password = (String) v;
                case "auth" -> o.authorizationToken = (String) v;
                case "http_port" -> o.httpPort = (Integer) v;
                case "https_port" -> o.httpsPort = (Integer) v;
                case "pid" -> o.pidFile = (String) v;
                case "ports_file_dir" -> o.portsFileDir = (String) v;
                case "log" -> o.logFile = (String) v;
                case "log_size_limit" -> o.logSizeLimit = (Long) v;
                case "syslog" -> o.syslog = (Boolean) v;
                case "remote_syslog" -> o.remoteSyslog = (String) v;
                case "profile" -> o.profPort = (Integer) v;
                case "cluster" -> o.cluster.listen = (String) v;
                case "cluster_advertise" -> o.cluster.advertise = (String) v;
                case "no_advertise" -> o.cluster.noAdvertise = (Boolean) v;
                case "connect_retries" -> o.cluster.connectRetries = (Integer) v;
                case "cluster_name" -> o.cluster.name = (String) v;
                case "tls" -> o.tls = (Boolean) v;
                case "tlsverify" -> o.tlsVerify = (Boolean) v;
                case "tlscert" -> o.tlsCert = (String) v;
                case "tlskey" -> o.tlsKey = (String) v;
                case "tlscacert" -> o.tlsCaCert = (String) v;
                case "max_traced_msg_len" -> o.maxTracedMsgLen = (Integer) v;
                case "jetstream" -> o.jetstream = (Boolean) v;
                case "store_dir" -> o.storeDir = (String) v;
                default -> {
                    // help, version, config, t, signal, routes, DV/VV/DVV: handled elsewhere
                }
            }
        }
        // the combined flags override the single ones, in upstream's (lexicographic) order
        if (set.get("DV") instanceof Boolean b) {
            o.trace = b;
            o.debug = b;
        }
        if (set.get("DVV") instanceof Boolean b) {
            o.trace = b;
            o.debug = b;
            o.traceVerbose = b;
        }
        if (set.get("VV") instanceof Boolean b) {
            o.trace = b;
            o.traceVerbose = b;
        }
        if (set.containsKey("cluster")) {
            String failure = overrideCluster(o.cluster);
            if (failure != null) return failure;
        }
        String routes = (String) set.get("routes");
        if (routes != null) {
            List<URI> list = new ArrayList<>();
            for (String r : routes.split(",")) {
                if (r.trim().isEmpty()) continue;
                try {
                    list.add(ClusterBlock.routeUrl(r));
                } catch (IllegalArgumentException e) {
                    return e.getMessage();
                }
            }
            o.cluster.routes = list;
        }
        if (set.containsKey("cluster_name") && o.cluster.name.contains(" ")) return ClusterBlock.NAME_HAS_SPACES;
        // TLS: any tls* flag turns TLS on from the command line, unless -tls=false, which also drops the file's TLS
        boolean tlsOverride = false;
        if (Boolean.FALSE.equals(set.get("tls"))) {
            o.tls = false;
            o.otherBlocks.remove("tls");
            o.tlsBlock = null;
        } else if (set.containsKey("tls") || set.containsKey("tlscacert") || set.containsKey("tlscert")
                || set.containsKey("tlskey") || set.containsKey("tlsverify")) {
            tlsOverride = true;
        }
        if (tlsOverride) {
            if (o.tlsCert == null || o.tlsCert.isEmpty()) return "TLS Server certificate must be present and valid";
            if (o.tlsKey == null || o.tlsKey.isEmpty()) return "TLS Server private key must be present and valid";
            o.tls = true;
        }
        ClusterOptions c = o.cluster;
        if (routes != null && !routes.isEmpty() && (c.listen == null || c.listen.isEmpty())
                && (c.host == null || c.host.isEmpty()) && c.port == 0) {
            return "solicited routes require cluster capabilities, e.g. --cluster";
        }
        return null;
    }

    /**
     * {@code --cluster nats://[user:pass@]host:port}; an empty value turns the cluster listener off. As upstream,
     * a URL without credentials also drops those of the file. Errors are worded as Go's url.Parse and
     * net.SplitHostPort word them, which is what upstream prints.
     */
    private static String overrideCluster(ClusterOptions c) {
        String listen = c.listen;
        if (listen == null || listen.isEmpty()) {
            c.port = 0;
            return null;
        }
        // -1 is no port for a URL parser: parse :0 and put -1 (a random port) back, as upstream
        boolean random = listen.endsWith(":-1");
        String parseable = random ? listen.substring(0, listen.length() - 3) + ":0" : listen;
        URI uri;
        try {
            uri = new URI(parseable);
        } catch (URISyntaxException e) {
            return "parse " + goQuote(parseable) + ": " + e.getReason();
        }
        String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
        String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
        String[] hp = ConfigReader.splitHostPort(hostPort);
        if (hp == null) {
            return "address " + hostPort + (hostPort.indexOf(':') < 0 ? ": missing port in address" : ": too many colons in address");
        }
        int port;
        try {
            port = Integer.parseInt(hp[1]);
        } catch (NumberFormatException e) {
            return "parse " + goQuote(parseable) + ": invalid port " + goQuote(":" + hp[1]) + " after host";
        }
        c.host = hp[0];
        c.port = random ? -1 : port;
        String userInfo = uri.getUserInfo();
        if (userInfo == null) {
            c.username = null;
            c.password = null;
        } else {
            int colon = userInfo.indexOf(':');
            if (colon < 0) return "expected cluster password to be set";
            c.username = userInfo.substring(0, colon);
            c.password = userInfo.substring(colon + 1);
        }
        return null;
    }

    // ---- Go value syntax ---------------------------------------------------------------------------

    /** Go's strconv.ParseBool. */
    private static Boolean goBool(String s) {
        return switch (s) {
            case "1", "t", "T", "TRUE", "true", "True" -> Boolean.TRUE;
            case "0", "f", "F", "FALSE", "false", "False" -> Boolean.FALSE;
            default -> null;
        };
    }

    /** Go's strconv.ParseInt(s, 0, 64): sign, 0x/0o/0b/0 prefixes, underscores after a prefix. */
    private static long goInt(String value, String name, long min, long max) throws FlagError {
        String s = value;
        boolean neg = false;
        if (!s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-')) {
            neg = s.charAt(0) == '-';
            s = s.substring(1);
        }
        int base = 10;
        boolean prefixed = false;
        if (s.contains("_")) {
            // base 0 allows Go's digit separators
            if (!underscoresOk(s)) throw parseError(value, name);
            s = s.replace("_", "");
        }
        if (s.length() > 1 && s.charAt(0) == '0') {
            char c = Character.toLowerCase(s.charAt(1));
            if (c == 'x' || c == 'o' || c == 'b') {
                base = c == 'x' ? 16 : c == 'o' ? 8 : 2;
                s = s.substring(2);
            } else {
                base = 8;
                s = s.substring(1);
            }
            prefixed = true;
        }
        if (s.isEmpty() && !(base == 8 && prefixed)) throw parseError(value, name);
        java.math.BigInteger n;
        try {
            n = s.isEmpty() ? java.math.BigInteger.ZERO : new java.math.BigInteger(s, base);
        } catch (NumberFormatException e) {
            throw parseError(value, name);
        }
        if (!s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-')) throw parseError(value, name);
        if (neg) n = n.negate();
        if (n.compareTo(java.math.BigInteger.valueOf(max)) > 0 || n.compareTo(java.math.BigInteger.valueOf(min)) < 0) {
            throw new FlagError("invalid value " + goQuote(value) + " for flag -" + name + ": value out of range");
        }
        return n.longValue();
    }

    /** Go's underscoreOK: underscores only between digits, or right after a base prefix. */
    private static boolean underscoresOk(String s) {
        char saw = '^';
        int i = 0;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) s = s.substring(1);
        boolean hex = false;
        if (s.length() >= 2 && s.charAt(0) == '0') {
            char c = Character.toLowerCase(s.charAt(1));
            if (c == 'x' || c == 'o' || c == 'b') {
                i = 2;
                saw = '0';
                hex = c == 'x';
            }
        }
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c >= '0' && c <= '9') || (hex && Character.toLowerCase(c) >= 'a' && Character.toLowerCase(c) <= 'f')) {
                saw = '0';
                continue;
            }
            if (c == '_') {
                if (saw != '0') return false;
                saw = '_';
                continue;
            }
            if (saw == '_') return false;
            saw = '!';
        }
        return saw != '_';
    }

    private static FlagError parseError(String value, String name) {
        return new FlagError("invalid value " + goQuote(value) + " for flag -" + name + ": parse error");
    }

    /** Go's %q for a string. */
    static String goQuote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) sb.append(String.format("\\x%02x", c));
                    else sb.appendCodePoint(c);
                }
            }
        });
        return sb.append('"').toString();
    }

    // ---- usage -------------------------------------------------------------------------------------

    /** The usage text, laid out as upstream's. */
    public static String usage() {
        return usage("jnatsd");
    }

    /** The usage text for a program called {@code exe}. */
    public static String usage(String exe) {
        return USAGE.replace("${exe}", exe);
    }

    /** The text for {@code --help_tls}. */
    public static String tlsUsage() {
        return TLS_USAGE;
    }

    private static final String USAGE = """

            Usage: ${exe} [options]

            Server Options:
                -a, --addr, --net <host>         Bind to host address (default: 0.0.0.0)
                -p, --port <port>                Use port for clients (default: 4222)
                -n, --name
                    --server_name <server_name>  Server name (default: auto)
                -P, --pid <file>                 File to store PID
                -m, --http_port <port>           Use port for http monitoring
                -ms,--https_port <port>          Use port for https monitoring
                -c, --config <file>              Configuration file
                -t                               Test configuration and exit
                -sl,--signal <signal>[=<pid>]    Send signal to a running ${exe} (ldm, stop, quit, term, reopen, reload)
                                                 <pid> can be a PID (e.g. 1) or the path to a PID file (e.g. /var/run/${exe}.pid)
                    --client_advertise <string>  Client URL to advertise to other servers
                    --ports_file_dir <dir>       Write a ports file in this directory (<executable_name>_<pid>.ports)

            Logging Options:
                -l, --log <file>                 File to write the log to
                -T, --logtime                    Timestamp log entries (default: true)
                    --logtime_utc                Timestamps in UTC instead of the local time zone
                -s, --syslog                     Log to syslog
                -r, --remote_syslog <addr>       Syslog server address (udp://localhost:514)
                -D, --debug                      Enable debug output
                -V, --trace                      Trace the raw protocol
                -VV                              Verbose trace (also traces the system account)
                -DV                              Debug and trace
                -DVV                             Debug and verbose trace (also traces the system account)
                    --log_size_limit <limit>     Rotate the log file at this size in bytes (default: no limit)
                    --max_traced_msg_len <len>   Longest message payload printed in a trace (default: unlimited)

            JetStream Options:
                -js, --jetstream                 Enable JetStream
                -sd, --store_dir <dir>           JetStream storage directory

            Authorization Options:
                    --user <user>                User required for connections
                    --pass <password>            Password required for connections
                    --auth <token>               Authorization token required for connections

            TLS Options:
                    --tls                        Enable TLS, do not verify clients (default: false)
                    --tlscert <file>             Server certificate file
                    --tlskey <file>              Private key for the server certificate
                    --tlsverify                  Enable TLS, verify client certificates
                    --tlscacert <file>           CA certificate for verifying clients

            Cluster Options:
                    --routes <rurl-1, rurl-2>    Routes to solicit and connect to
                    --cluster <cluster-url>      Cluster URL for solicited routes
                    --cluster_name <string>      Cluster name; generated when not set
                    --no_advertise               Do not advertise known cluster information to clients
                    --cluster_advertise <string> Cluster URL to advertise to other servers
                    --connect_retries <number>   For implicit routes, number of connect retries
                    --cluster_listen <url>       Cluster URL on which members can solicit routes

            Profiling Options:
                    --profile <port>             Profiling HTTP port

            Common Options:
                -h, --help                       Show this message
                -v, --version                    Show version
                    --help_tls                   TLS help

            Every long option also works with a single dash, and values may follow "=" or a space
            (boolean options take a value only with "=", e.g. -T=false). The words "version" and
            "help" may also be given as commands.
            """;

    private static final String TLS_USAGE = """

            TLS Options:
                --tls                        Enable TLS, do not verify clients (default: false)
                --tlscert <file>             Server certificate file (PEM)
                --tlskey <file>              Private key for the server certificate (PEM)
                --tlsverify                  Enable TLS, verify client certificates
                --tlscacert <file>           CA certificate for verifying clients (PEM)

            -tls=false turns off TLS configured in the config file. Any other TLS flag turns TLS on
            and then requires both --tlscert and --tlskey.

            Cipher suites, curve preferences and the other TLS settings are configured in the
            config file's tls { } block.
            """;
}
