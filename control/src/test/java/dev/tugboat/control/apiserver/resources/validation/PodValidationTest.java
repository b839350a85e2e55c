package dev.tugboat.control.apiserver.resources.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.apiserver.resources.Codec;
import dev.tugboat.control.apiserver.resources.kinds.PodDefaults;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class PodValidationTest {

  private static List<String> errors(String spec) {
    return PodSpecValidation.validate(Codec.JSON.readTree(spec.replace('\'', '"')), "spec").stream()
        .map(FieldError::toString).toList();
  }

  @Test
  void aPodNeedsContainersWithNamesAndImages() {
    assertThat(errors("{}")).containsExactly("spec.containers: Required value");
    assertThat(errors("{'containers':[{}]}")).containsExactly("spec.containers[0].name: Required value",
        "spec.containers[0].image: Required value");
  }

  @Test
  void containerNamesAreUniqueDnsLabels() {
    assertThat(errors("{'containers':[{'name':'a','image':'i'},{'name':'a','image':'i'}]}"))
        .containsExactly("spec.containers[1].name: Duplicate value: \"a\"");
    assertThat(errors("{'containers':[{'name':'A','image':'i'}]}").get(0))
        .startsWith("spec.containers[0].name: Invalid value: \"A\": a lowercase RFC 1123 label");
  }

  @Test
  void portsAreInRangeWithKnownProtocols() {
    assertThat(errors("{'containers':[{'name':'a','image':'i','ports':[{'containerPort':0},"
        + "{'containerPort':80,'protocol':'HTTP'},{'containerPort':81,'hostPort':70000}]}]}"))
        .containsExactly("spec.containers[0].ports[0].containerPort: Required value",
            "spec.containers[0].ports[1].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", "
                + "\"TCP\", \"UDP\"",
            "spec.containers[0].ports[2].hostPort: Invalid value: 70000: must be between 1 and 65535, inclusive");
  }

  @Test
  void resourceQuantitiesMustParseAndRequestsNotExceedLimits() {
    assertThat(errors("{'containers':[{'name':'a','image':'i','resources':{'limits':{'cpu':'1'},"
        + "'requests':{'cpu':'2','memory':'lots'}}}]}"))
        .containsExactly("spec.containers[0].resources.requests[memory]: Invalid value: \"lots\": quantities "
                + "must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
            "spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit "
                + "of 1");
  }

  @Test
  void volumeMountsReferToDeclaredVolumes() {
    assertThat(errors("{'volumes':[{'name':'data','emptyDir':{}}],'containers':[{'name':'a','image':'i',"
        + "'volumeMounts':[{'name':'data','mountPath':'/d'},{'name':'other','mountPath':'/o'}]}]}"))
        .containsExactly("spec.containers[0].volumeMounts[1].name: Not found: \"other\"");
  }

  @Test
  void restartAndDnsPoliciesAreEnumerations() {
    assertThat(errors("{'restartPolicy':'Sometimes','dnsPolicy':'Magic','containers':[{'name':'a','image':'i'}]}"))
        .containsExactly("spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", "
                + "\"Never\", \"OnFailure\"",
            "spec.dnsPolicy: Unsupported value: \"Magic\": supported values: \"ClusterFirst\", "
                + "\"ClusterFirstWithHostNet\", \"Default\", \"None\"");
  }

  @Test
  void envNamesFollowTheEnvironmentVariableRule() {
    assertThat(errors("{'containers':[{'name':'a','image':'i','env':[{'name':'1X'}]}]}").get(0))
        .startsWith("spec.containers[0].env[0].name: Invalid value: \"1X\": a valid environment variable name");
  }

  @Test
  void imagePullPolicyFollowsTheTag() {
    assertThat(PodDefaults.pullPolicyFor("nginx")).isEqualTo("Always");
    assertThat(PodDefaults.pullPolicyFor("nginx:latest")).isEqualTo("Always");
    assertThat(PodDefaults.pullPolicyFor("nginx:1.25")).isEqualTo("IfNotPresent");
    assertThat(PodDefaults.pullPolicyFor("localhost:5000/nginx")).isEqualTo("Always");
    assertThat(PodDefaults.pullPolicyFor("nginx@sha256:abc")).isEqualTo("IfNotPresent");
  }

  @Test
  void qosClassFollowsRequestsAndLimits() {
    assertThat(PodDefaults.qosClass(spec("{'containers':[{'name':'a'}]}"))).isEqualTo("BestEffort");
    assertThat(PodDefaults.qosClass(spec("{'containers':[{'name':'a','resources':{'requests':{'cpu':'1'}}}]}")))
        .isEqualTo("Burstable");
    assertThat(PodDefaults.qosClass(spec("{'containers':[{'name':'a','resources':{'limits':{'cpu':'1',"
        + "'memory':'1Gi'},'requests':{'cpu':'1000m','memory':'1Gi'}}}]}"))).isEqualTo("Guaranteed");
  }

  @Test
  void defaultsFillRequestsFromLimits() {
    ObjectNode spec = spec("{'containers':[{'name':'a','image':'i','resources':{'limits':{'cpu':'1'}}}]}");
    PodDefaults.applyToSpec(spec, true);
    assertThat(spec.at("/containers/0/resources/requests/cpu").asString()).isEqualTo("1");
    assertThat(spec.at("/tolerations").size()).isEqualTo(2);
    assertThat(spec.at("/serviceAccountName").asString()).isEqualTo("default");
  }

  private static ObjectNode spec(String json) {
    return (ObjectNode) Codec.JSON.readTree(json.replace('\'', '"'));
  }

  @Test
  void probesHaveExactlyOneHandlerNoNegativeTimingsAndOneSuccessWhereOnlyOneCounts() {
    String c = "{'containers':[{'name':'a','image':'i','ports':[{'name':'http','containerPort':80}],";
    assertThat(errors(c + "'livenessProbe':{'periodSeconds':5}}]}"))
        .containsExactly("spec.containers[0].livenessProbe: Required value: must specify a handler type");
    assertThat(errors(c + "'readinessProbe':{'exec':{'command':['true']},'tcpSocket':{'port':80}}}]}"))
        .containsExactly("spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 "
            + "handler type");
    assertThat(errors(c + "'startupProbe':{'exec':{},'periodSeconds':-1,'successThreshold':2}}]}"))
        .containsExactly("spec.containers[0].startupProbe.exec.command: Required value",
            "spec.containers[0].startupProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0",
            "spec.containers[0].startupProbe.successThreshold: Invalid value: 2: must be 1");
    assertThat(errors(c + "'livenessProbe':{'httpGet':{'path':'/','port':70000,'scheme':'FTP'}},"
        + "'readinessProbe':{'tcpSocket':{'port':'no_such'},'successThreshold':3}}]}"))
        .containsExactly(
            "spec.containers[0].livenessProbe.httpGet.port: Invalid value: 70000: must be between 1 and 65535, "
                + "inclusive",
            "spec.containers[0].livenessProbe.httpGet.scheme: Unsupported value: \"FTP\": supported values: "
                + "\"HTTP\", \"HTTPS\"",
            "spec.containers[0].readinessProbe.tcpSocket.port: Invalid value: \"no_such\": must contain only "
                + "alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    assertThat(errors(c + "'readinessProbe':{'httpGet':{'path':'/ready','port':'http'},'successThreshold':3},"
        + "'livenessProbe':{'grpc':{'port':9090}},'startupProbe':{'tcpSocket':{'port':80}}}]}")).isEmpty();
  }

  @Test
  void onlySidecarInitContainersMayHaveProbes() {
    assertThat(errors("{'containers':[{'name':'a','image':'i'}],'initContainers':[{'name':'b','image':'i',"
        + "'readinessProbe':{'exec':{'command':['true']}}},{'name':'c','image':'i','restartPolicy':'Always',"
        + "'readinessProbe':{'exec':{'command':['true']}}}]}"))
        .containsExactly("spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers "
            + "without restartPolicy=Always");
  }
}
