package io.jnatsd.server.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An MQTT 5 subscription's options (section 3.8.3.1) and identifier, kept with the session so a resumed session
 * delivers as before. Retain handling matters only at SUBSCRIBE and is not kept.
 */
record SubOptions(boolean noLocal, boolean retainAsPublished, int subscriptionId) {
    static final SubOptions NONE = new SubOptions(false, false, 0);

    boolean isDefault() {
        return !noLocal && !retainAsPublished && subscriptionId == 0;
    }

    ObjectNode toJson() {
        ObjectNode o = JsApi.JSON.createObjectNode();
        if (noLocal) o.put("nl", true);
        if (retainAsPublished) o.put("rap", true);
        if (subscriptionId != 0) o.put("id", subscriptionId);
        return o;
    }

    static SubOptions of(JsonNode o) {
        return new SubOptions(o.path("nl").asBoolean(false), o.path("rap").asBoolean(false), o.path("id").asInt(0));
    }
}
