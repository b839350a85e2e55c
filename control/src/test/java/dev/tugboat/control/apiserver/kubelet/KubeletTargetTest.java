package dev.tugboat.control.apiserver.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tugboat.control.apiserver.ApiRequest;
import dev.tugboat.control.apiserver.UserInfo;
import dev.tugboat.control.apiserver.resources.StatusError;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class KubeletTargetTest {

  private static final JsonNode POD = json("{\"spec\":{\"nodeName\":\"n1\",\"containers\":[{\"name\":\"app\"},"
      + "{\"name\":\"side\"}],\"initContainers\":[{\"name\":\"setup\"}]}}");
  private static final JsonNode NODE = json("{\"status\":{\"addresses\":[{\"type\":\"Hostname\",\"address\":\"n1\"},"
      + "{\"type\":\"InternalIP\",\"address\":\"10.0.0.7\"}],\"daemonEndpoints\":{\"kubeletEndpoint\":{\"Port\":10350}}}}");

  private static JsonNode json(String text) {
    return JsonMapper.shared().readTree(text);
  }

  private static ApiRequest request(String subresource, Map<String, List<String>> query) {
    return new ApiRequest("get", "", "v1", "pods", subresource, "ns", "web", query, null, null, new byte[0],
        new UserInfo("u", List.of()));
  }

  private static Map<String, List<String>> query(String... pairs) {
    Map<String, List<String>> query = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      query.computeIfAbsent(pairs[i], k -> new java.util.ArrayList<>()).add(pairs[i + 1]);
    }
    return query;
  }

  @Test
  void logsGoToTheNodesInternalIpAndKubeletPortWithTheLogOptions() {
    KubeletTarget target = KubeletTarget.resolve(request("log",
        query("container", "side", "follow", "true", "tailLines", "5", "pretty", "true")), POD, NODE);
    assertThat(target).isEqualTo(new KubeletTarget("n1", "10.0.0.7", 10350,
        "/containerLogs/ns/web/side?follow=true&tailLines=5"));
  }

  @Test
  void execRenamesTheStreamsAsKubeletNamesThemAndKeepsEachCommandWord() {
    KubeletTarget target = KubeletTarget.resolve(request("exec", query("container", "app", "command", "sh",
        "command", "-c", "command", "echo a&b", "stdout", "true", "stderr", "true")), POD, NODE);
    assertThat(target.path()).isEqualTo("/exec/ns/web/app?output=1&error=1&command=sh&command=-c&command=echo%20a%26b");
  }

  @Test
  void attachNeedsNoCommand() {
    assertThat(KubeletTarget.resolve(request("attach", query("container", "app", "stdout", "1")), POD, NODE).path())
        .isEqualTo("/attach/ns/web/app?output=1");
  }

  @Test
  void aPodWithOneContainerNeedsNoContainerName() {
    JsonNode single = json("{\"spec\":{\"nodeName\":\"n1\",\"containers\":[{\"name\":\"only\"}]}}");
    assertThat(KubeletTarget.resolve(request("log", query()), single, NODE).path()).isEqualTo("/containerLogs/ns/web/only");
  }

  @Test
  void aPortTheNodeDoesNotStateIsKubeletsDefault() {
    JsonNode node = json("{\"status\":{\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"10.0.0.7\"}]}}");
    assertThat(KubeletTarget.resolve(request("log", query("container", "app")), POD, node).port()).isEqualTo(10250);
  }

  @Test
  void badRequestsAreRefusedWithKubeApiserversWords() {
    assertThatThrownBy(() -> KubeletTarget.resolve(request("log", query("container", "nope")), POD, NODE))
        .isInstanceOf(StatusError.class).hasMessage("container nope is not valid for pod web")
        .extracting(e -> ((StatusError) e).code()).isEqualTo(400);
    assertThatThrownBy(() -> KubeletTarget.resolve(request("log", query()), POD, NODE))
        .hasMessage("a container name must be specified for pod web, choose one of: [app side]");
    assertThatThrownBy(() -> KubeletTarget.resolve(request("exec", query("container", "app", "stdout", "1")), POD, NODE))
        .hasMessage("command: Required value: you must specify a command");
    assertThatThrownBy(() -> KubeletTarget.resolve(request("exec", query("container", "app", "command", "ls")), POD, NODE))
        .hasMessage("you must specify at least 1 of stdin, stdout, stderr");
  }

  @Test
  void aPodNotScheduledOrOnANodeWithoutAddressCannotBeReached() {
    JsonNode pending = json("{\"spec\":{\"containers\":[{\"name\":\"app\"}]}}");
    assertThatThrownBy(() -> KubeletTarget.resolve(request("log", query()), pending, NODE))
        .hasMessage("pod web does not have a host assigned");
    assertThatThrownBy(() -> KubeletTarget.resolve(request("log", query("container", "app")), POD, null))
        .hasMessageContaining("bound to node n1, which is not registered")
        .extracting(e -> ((StatusError) e).code()).isEqualTo(503);
    assertThatThrownBy(() -> KubeletTarget.resolve(request("log", query("container", "app")), POD, json("{}")))
        .hasMessageContaining("node n1 of pod web has no InternalIP")
        .extracting(e -> ((StatusError) e).code()).isEqualTo(503);
  }
}
