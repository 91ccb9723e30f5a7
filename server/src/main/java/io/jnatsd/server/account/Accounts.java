package io.jnatsd.server.account;

import io.jnatsd.server.auth.User;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.InterestListener;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The server's accounts by name: the global account {@code $G}, the system account and configured ones. */
public final class Accounts {
    public static final String SYSTEM = "$SYS";

    private final Map<String, Account> byName = new ConcurrentHashMap<>();
    private final Account global;
    private volatile String systemAccount = SYSTEM;
    private volatile InterestListener interest;
    /** Called for every account made from now on (gateways tally every account's interest). */
    private final java.util.List<java.util.function.Consumer<Account>> onAdded = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** @param withSystemAccount false for {@code no_system_account: true} */
    public Accounts(boolean withSystemAccount) {
        global = add(new Account(User.GLOBAL_ACCOUNT));
        if (withSystemAccount) add(new Account(SYSTEM));
        else systemAccount = null;
    }

    public Account add(Account a) {
        InterestListener l = interest;
        if (l != null) a.setInterestListener(l);
        byName.put(a.name(), a);
        for (var action : onAdded) action.accept(a);
        return a;
    }

    /** Calls {@code action} for every account there is, and for every one added from now on. */
    public void eachAccount(java.util.function.Consumer<Account> action) {
        onAdded.add(action);
        for (Account a : byName.values()) action.accept(a);
    }

    /** Where every account, present and future, reports its interest changes (the cluster's routes). */
    public void setInterestListener(InterestListener l) {
        interest = l;
        for (Account a : byName.values()) a.setInterestListener(l);
    }

    public void setSystemAccount(String name) {
        systemAccount = name;
    }

    /** The system account ({@code system_account}, {@code $SYS} by default). */
    public Account system() {
        String name = systemAccount;
        return name == null ? null : byName.get(name);
    }

    /** The system account's name, or null when there is none. */
    public String systemAccountName() {
        return systemAccount;
    }

    public Account global() {
        return global;
    }

    public Account get(String name) {
        return byName.get(name);
    }

    public Collection<Account> all() {
        return byName.values();
    }
}
