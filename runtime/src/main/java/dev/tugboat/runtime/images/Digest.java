package dev.tugboat.runtime.images;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A content digest in OCI form, {@code sha256:<64 lowercase hex>}; the only algorithm images here use. */
public record Digest(String hex) {

    public static final String ALGORITHM = "sha256";

    public Digest {
        if (hex == null || !hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("digest: expected 64 lowercase hex digits of sha256, was \"" + hex + "\"");
        }
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static Digest parse(String text) {
        if (text == null || !text.startsWith(ALGORITHM + ":")) {
            throw new IllegalArgumentException("digest \"" + text + "\": only sha256:<hex> digests are supported");
        }
        return new Digest(text.substring(ALGORITHM.length() + 1));
    }

    public static boolean isDigest(String text) {
        return text != null && text.matches("sha256:[0-9a-f]{64}");
    }

    public static Digest of(byte[] content) {
        MessageDigest sha256 = newSha256();
        return new Digest(HexFormat.of().formatHex(sha256.digest(content)));
    }

    public static Digest of(String content) {
        return of(content.getBytes(StandardCharsets.UTF_8));
    }

    public static Digest ofFile(Path file) throws IOException {
        MessageDigest sha256 = newSha256();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                sha256.update(buffer, 0, n);
            }
        }
        return fromMessageDigest(sha256);
    }

    static Digest fromMessageDigest(MessageDigest sha256) {
        return new Digest(HexFormat.of().formatHex(sha256.digest()));
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    /**
     * The chain id of a layer stack (OCI image spec): the first layer's is its diff id, each next one is the sha256 of
     * "&lt;parent chain id&gt; &lt;diff id&gt;". It names an unpacked layer together with everything below it.
     */
    public static Digest chainId(Digest parentChainId, Digest diffId) {
        return parentChainId == null ? diffId : of(parentChainId + " " + diffId);
    }

    /** The first 12 hex digits, as image listings show ids. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    @JsonValue
    @Override
    public String toString() {
        return ALGORITHM + ":" + hex;
    }
}
