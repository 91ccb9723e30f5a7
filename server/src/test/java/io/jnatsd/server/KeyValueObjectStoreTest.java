package io.jnatsd.server;

import static io.jnatsd.server.testing.TestServer.bytes;
import static io.jnatsd.server.testing.TestServer.startJetStream;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueManagement;
import io.nats.client.Nats;
import io.nats.client.ObjectStore;
import io.nats.client.ObjectStoreManagement;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import io.nats.client.api.KeyValueStatus;
import io.nats.client.api.KeyValueWatcher;
import io.nats.client.api.ObjectInfo;
import io.nats.client.api.ObjectStoreConfiguration;
import io.nats.client.api.StorageType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Key-value and object stores through the official client, against jnatsd and upstream alike. */
class KeyValueObjectStoreTest {
    @TempDir
    Path dir;

    private static String text(KeyValueEntry e) {
        return e.getValue() == null ? null : new String(e.getValue(), StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void keyValue(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            KeyValueManagement kvm = c.keyValueManagement();
            KeyValueStatus status = kvm.create(KeyValueConfiguration.builder().name("CFG").maxHistoryPerKey(5)
                    .storageType(StorageType.File).build());
            assertEquals("CFG", status.getBucketName());
            assertEquals(5, status.getMaxHistoryPerKey());
            assertEquals(List.of("CFG"), kvm.getBucketNames());

            KeyValue kv = c.keyValue("CFG");
            assertEquals(1, kv.put("color", "red"));
            assertEquals(2, kv.put("size", bytes("L")));
            assertEquals("red", text(kv.get("color")));
            assertEquals(1, kv.get("color").getRevision());
            assertEquals(KeyValueOperation.PUT, kv.get("color").getOperation());
            assertNull(kv.get("missing"));

            assertEquals(3, kv.update("color", bytes("blue"), 1));
            JetStreamApiException wrongRevision = assertThrows(JetStreamApiException.class, () -> kv.update("color", bytes("x"), 1));
            assertEquals(10071, wrongRevision.getApiErrorCode());
            JetStreamApiException exists = assertThrows(JetStreamApiException.class, () -> kv.create("color", bytes("x")));
            assertEquals(10071, exists.getApiErrorCode());
            assertEquals(4, kv.create("shape", bytes("round")));

            kv.delete("size");
            assertNull(kv.get("size"), "deleted");
            assertEquals(6, kv.create("size", bytes("M")), "a deleted key can be created again");

            List<KeyValueEntry> history = kv.history("color");
            assertEquals(List.of("red", "blue"), history.stream().map(KeyValueObjectStoreTest::text).toList());
            assertEquals(List.of("color", "shape", "size"), kv.keys().stream().sorted().toList());

            kv.purge("shape");
            assertNull(kv.get("shape"));
            assertEquals(1, kv.history("shape").size(), "a purge leaves only its marker");
            assertEquals(List.of("color", "size"), kv.keys().stream().sorted().toList());

            List<KeyValueEntry> seen = new CopyOnWriteArrayList<>();
            CountDownLatch initial = new CountDownLatch(1);
            CountDownLatch update = new CountDownLatch(1);
            KeyValueWatcher watcher = new KeyValueWatcher() {
                @Override
                public void watch(KeyValueEntry e) {
                    seen.add(e);
                    if (initial.getCount() == 0 && "late".equals(e.getKey())) update.countDown();
                }

                @Override
                public void endOfData() {
                    initial.countDown();
                }
            };
            try (var w = kv.watchAll(watcher)) {
                assertTrue(initial.await(3, TimeUnit.SECONDS));
                assertEquals(3, seen.size(), "latest of color, size, and the purge marker of shape: " + seen);
                kv.put("late", "news");
                assertTrue(update.await(3, TimeUnit.SECONDS));
            }
            kvm.delete("CFG");
            assertFalse(kvm.getBucketNames().contains("CFG"));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void objectStore(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            ObjectStoreManagement osm = c.objectStoreManagement();
            osm.create(ObjectStoreConfiguration.builder("FILES").storageType(StorageType.File).build());
            ObjectStore os = c.objectStore("FILES");
            byte[] big = new byte[3 * 1024 * 1024 + 12345];
            new Random(7).nextBytes(big);
            ObjectInfo put = os.put("blob.bin", new ByteArrayInputStream(big));
            assertEquals(big.length, put.getSize());
            assertTrue(put.getChunks() > 20);
            os.put("small.txt", bytes("hello"));

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ObjectInfo got = os.get("blob.bin", out);
            assertArrayEquals(big, out.toByteArray());
            assertEquals(put.getDigest(), got.getDigest());
            assertNotNull(os.getInfo("small.txt"));
            assertEquals(List.of("blob.bin", "small.txt"), os.getList().stream().map(ObjectInfo::getObjectName).sorted().toList());

            os.delete("blob.bin");
            assertTrue(os.getInfo("blob.bin", true).isDeleted());
            assertEquals(List.of("small.txt"), os.getList().stream().map(ObjectInfo::getObjectName).toList());
            assertTrue(os.getStatus().getSize() < 10_000, "the chunks are gone");
            osm.delete("FILES");
        }
    }
}
