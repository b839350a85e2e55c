package dev.tugboat.runtime.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class DigestTest {

    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void digestOfContentIsItsSha256InOciForm() {
        assertThat(Digest.of(new byte[0]).toString()).isEqualTo("sha256:" + EMPTY_SHA256);
        assertThat(Digest.parse("sha256:" + EMPTY_SHA256)).isEqualTo(Digest.of(new byte[0]));
    }

    @Test
    void otherAlgorithmsAndMalformedHexAreRefused() {
        assertThatThrownBy(() -> Digest.parse("sha512:abc")).hasMessageContaining("only sha256:<hex> digests are supported");
        assertThatThrownBy(() -> Digest.parse("sha256:ABC")).hasMessageContaining("expected 64 lowercase hex digits");
        assertThatThrownBy(() -> Digest.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void chainIdOfTheBottomLayerIsItsDiffIdAndAboveItTheDigestOfParentSpaceDiffId() {
        Digest first = Digest.of("layer one");
        Digest second = Digest.of("layer two");

        assertThat(Digest.chainId(null, first)).isEqualTo(first);
        assertThat(Digest.chainId(first, second)).isEqualTo(Digest.of(first + " " + second));
    }

    @Test
    void digestsTravelThroughJsonAsTheirOciString() {
        Digest digest = Digest.of("x");
        String json = JsonMapper.shared().writeValueAsString(digest);

        assertThat(json).isEqualTo("\"" + digest + "\"");
        assertThat(JsonMapper.shared().readValue(json, Digest.class)).isEqualTo(digest);
    }
}
