package dev.tugboat.control.apiserver.resources.table;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.apiserver.resources.Codec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class TableConvertorTest {

  private static final Instant NOW = Instant.parse("2026-11-28T00:10:00Z");

  private static ObjectNode json(String text) {
    return (ObjectNode) Codec.JSON.readTree(text.replace('\'', '"'));
  }

  private static JsonNode table(String kind, String object, String include) {
    ObjectNode list = json("{'metadata':{'resourceVersion':'7'},'items':[]}");
    list.withArray("items").add(json(object));
    return new TableConvertor(Printers.columns(kind)).table(list, include, NOW);
  }

  private static List<String> columns(JsonNode table) {
    List<String> names = new ArrayList<>();
    table.path("columnDefinitions").forEach(c -> names.add(c.path("name").asString()));
    return names;
  }

  private static List<String> cells(JsonNode table) {
    List<String> cells = new ArrayList<>();
    table.path("rows").get(0).path("cells").forEach(c -> cells.add(c.asString()));
    return cells;
  }

  @Test
  void podsPrintReadyStatusRestartsAgeAndWideColumns() {
    JsonNode table = table("Pod", "{'metadata':{'name':'web','creationTimestamp':'2026-11-28T00:05:00Z'},"
        + "'spec':{'nodeName':'n1','containers':[{'name':'a'},{'name':'b'}]},"
        + "'status':{'phase':'Running','podIP':'10.244.0.5','containerStatuses':[{'name':'a','ready':true,"
        + "'restartCount':2,'state':{'running':{}}},{'name':'b','ready':false,'restartCount':1,"
        + "'state':{'waiting':{'reason':'CrashLoopBackOff'}}}]}}", "Metadata");
    assertThat(table.path("kind").asString()).isEqualTo("Table");
    assertThat(table.path("metadata").path("resourceVersion").asString()).isEqualTo("7");
    assertThat(columns(table)).containsExactly("Name", "Ready", "Status", "Restarts", "Age", "IP", "Node",
        "Nominated Node", "Readiness Gates");
    assertThat(cells(table)).containsExactly("web", "1/2", "CrashLoopBackOff", "3", "5m", "10.244.0.5", "n1",
        "<none>", "<none>");
    JsonNode object = table.path("rows").get(0).path("object");
    assertThat(object.path("kind").asString()).isEqualTo("PartialObjectMetadata");
    assertThat(object.path("metadata").path("name").asString()).isEqualTo("web");
  }

  @Test
  void podsBeingDeletedPrintTerminating() {
    JsonNode table = table("Pod", "{'metadata':{'name':'p','deletionTimestamp':'2026-11-28T00:09:00Z'},"
        + "'spec':{'containers':[{'name':'a'}]},'status':{'phase':'Running'}}", "None");
    assertThat(cells(table).get(2)).isEqualTo("Terminating");
    assertThat(table.path("rows").get(0).has("object")).isFalse();
  }

  @Test
  void servicesPrintTypeClusterIpExternalIpAndPorts() {
    JsonNode table = table("Service", "{'metadata':{'name':'s','creationTimestamp':'2026-11-27T22:10:00Z'},"
        + "'spec':{'type':'NodePort','clusterIP':'10.96.0.10','ports':[{'port':80,'nodePort':30080,"
        + "'protocol':'TCP'},{'port':53,'protocol':'UDP'}],'selector':{'app':'s'}}}", "Object");
    assertThat(cells(table)).containsExactly("s", "NodePort", "10.96.0.10", "<none>", "80:30080/TCP,53/UDP", "120m",
        "app=s");
    assertThat(table.path("rows").get(0).path("object").path("spec").path("type").asString()).isEqualTo("NodePort");
  }

  @Test
  void deploymentsPrintReadyUpToDateAvailable() {
    JsonNode table = table("Deployment", "{'metadata':{'name':'d','creationTimestamp':'2026-11-25T00:10:00Z'},"
        + "'spec':{'replicas':3,'selector':{'matchLabels':{'app':'d'}},'template':{'spec':{'containers':"
        + "[{'name':'c','image':'nginx'}]}}},'status':{'readyReplicas':2,'updatedReplicas':3,'availableReplicas':2}}",
        "None");
    assertThat(columns(table)).startsWith("Name", "Ready", "Up-to-date", "Available", "Age");
    List<JsonNode> raw = new ArrayList<>();
    table.path("rows").get(0).path("cells").forEach(raw::add);
    assertThat(raw.get(1).asString()).isEqualTo("2/3");
    assertThat(raw.get(2).asInt()).isEqualTo(3);
    assertThat(raw.get(4).asString()).isEqualTo("3d");
    assertThat(raw.get(7).asString()).isEqualTo("app=d");
  }

  @Test
  void nodesAndNamespacesPrintTheirStatus() {
    JsonNode node = table("Node", "{'metadata':{'name':'n1','labels':{'node-role.kubernetes.io/control-plane':''}},"
        + "'spec':{'unschedulable':true},'status':{'conditions':[{'type':'Ready','status':'True'}],"
        + "'nodeInfo':{'kubeletVersion':'v1.32.0'}}}", "None");
    assertThat(cells(node).subList(0, 3)).containsExactly("n1", "Ready,SchedulingDisabled", "control-plane");
    assertThat(cells(node).get(4)).isEqualTo("v1.32.0");
    JsonNode namespace = table("Namespace", "{'metadata':{'name':'x'},'status':{'phase':'Terminating'}}", "None");
    assertThat(cells(namespace).subList(0, 2)).containsExactly("x", "Terminating");
  }

  @Test
  void agesPrintLikeKubectl() {
    assertThat(Durations.human(Duration.ofSeconds(45))).isEqualTo("45s");
    assertThat(Durations.human(Duration.ofSeconds(119))).isEqualTo("119s");
    assertThat(Durations.human(Duration.ofSeconds(200))).isEqualTo("3m20s");
    assertThat(Durations.human(Duration.ofMinutes(100))).isEqualTo("100m");
    assertThat(Durations.human(Duration.ofMinutes(310))).isEqualTo("5h10m");
    assertThat(Durations.human(Duration.ofHours(30))).isEqualTo("30h");
    assertThat(Durations.human(Duration.ofHours(75))).isEqualTo("3d3h");
    assertThat(Durations.human(Duration.ofDays(30))).isEqualTo("30d");
    assertThat(Durations.human(Duration.ofDays(800))).isEqualTo("2y70d");
    assertThat(Durations.since(null, NOW)).isEqualTo("<unknown>");
  }
}
