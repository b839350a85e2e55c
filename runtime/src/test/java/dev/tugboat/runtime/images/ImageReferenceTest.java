package dev.tugboat.runtime.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImageReferenceTest {

    @Test
    void aMissingTagIsLatest() {
        assertThat(ImageReference.parse("busybox").toString()).isEqualTo("busybox:latest");
    }

    @Test
    void dockerHubPrefixesAreDropped() {
        assertThat(ImageReference.parse("docker.io/library/busybox:1.36").toString()).isEqualTo("busybox:1.36");
        assertThat(ImageReference.parse("docker.io/team/app").toString()).isEqualTo("team/app:latest");
        assertThat(ImageReference.parse("library/busybox:1").toString()).isEqualTo("busybox:1");
    }

    @Test
    void aRegistryPortIsNotATag() {
        ImageReference reference = ImageReference.parse("registry.example:5000/team/app");

        assertThat(reference.repository()).isEqualTo("registry.example:5000/team/app");
        assertThat(reference.tag()).isEqualTo("latest");
    }

    @Test
    void malformedNamesAndTagsAreRefusedNamingThePart() {
        assertThatThrownBy(() -> ImageReference.parse("Busybox")).hasMessageStartingWith("image name \"Busybox\"");
        assertThatThrownBy(() -> ImageReference.parse("busybox:-x")).hasMessageStartingWith("image tag \"-x\"");
        assertThatThrownBy(() -> ImageReference.parse("busybox@sha256:00")).hasMessageContaining("digest reference");
        assertThatThrownBy(() -> ImageReference.parse("")).hasMessage("image name: must not be empty");
    }
}
