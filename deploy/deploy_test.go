// Package deploy_test checks the deployment files an operator runs: the compose file,
// the Kubernetes manifests, the Dockerfile and the systemd units. Nothing is started;
// the files are parsed and held to what the service needs (probes, secrets, the
// replica set, a non-root image).
package deploy_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// ---- docker-compose.yml ----

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Secrets  map[string]struct {
		File string `yaml:"file"`
	} `yaml:"secrets"`
}

type composeService struct {
	Image       string         `yaml:"image"`
	Build       *composeBuild  `yaml:"build"`
	Command     any            `yaml:"command"`     // a string or a list
	Environment any            `yaml:"environment"` // a map or a list of NAME=value
	DependsOn   any            `yaml:"depends_on"`  // a list or a map of conditions
	Ports       []any          `yaml:"ports"`
	Healthcheck *composeHealth `yaml:"healthcheck"`
	Volumes     []any          `yaml:"volumes"`
	Secrets     []any          `yaml:"secrets"`
	Profiles    []string       `yaml:"profiles"`
}

type composeBuild struct {
	Context    string `yaml:"context"`
	Dockerfile string `yaml:"dockerfile"`
}

type composeHealth struct {
	Test any `yaml:"test"`
}

const mongoURI = "mongodb://mongo1:27017,mongo2:27017,mongo3:27017/?replicaSet=rs0"

var replicaHosts = []string{"mongo1:27017", "mongo2:27017", "mongo3:27017"}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	var c composeFile
	if err := yaml.Unmarshal(readFile(t, "docker-compose.yml"), &c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	return c
}

func TestComposeServices(t *testing.T) {
	c := loadCompose(t)
	for _, name := range []string{"mongo1", "mongo2", "mongo3", "mongo-init", "ansinh1", "ansinh2", "caddy"} {
		if _, ok := c.Services[name]; !ok {
			t.Errorf("service %s is missing", name)
		}
	}
}

func TestComposeReplicaSet(t *testing.T) {
	c := loadCompose(t)
	for _, name := range []string{"mongo1", "mongo2", "mongo3"} {
		s := c.Services[name]
		if !strings.HasPrefix(s.Image, "mongo:") {
			t.Errorf("%s: image %q, want mongo:<version>", name, s.Image)
		}
		if cmd := words(s.Command); !strings.Contains(cmd, "--replSet rs0") {
			t.Errorf("%s: command %q does not run --replSet rs0", name, cmd)
		}
		if s.Healthcheck == nil || words(s.Healthcheck.Test) == "" {
			t.Errorf("%s: no healthcheck, so mongo-init cannot wait for it", name)
		}
		if len(s.Volumes) == 0 {
			t.Errorf("%s: no volume: the data would go with the container", name)
		}
	}

	init := c.Services["mongo-init"]
	script := words(init.Command)
	for _, want := range append([]string{"rs.initiate", `"rs0"`}, replicaHosts...) {
		if !strings.Contains(script, want) {
			t.Errorf("mongo-init: command does not contain %s:\n%s", want, script)
		}
	}
	// Idempotent: a second `compose up` finds the set initiated and must exit 0.
	if !strings.Contains(script, "NotYetInitialized") {
		t.Errorf("mongo-init: initiates without first checking that rs0 is not yet initiated")
	}
	deps := dependsOn(init.DependsOn)
	for _, m := range []string{"mongo1", "mongo2", "mongo3"} {
		if deps[m] != "service_healthy" {
			t.Errorf("mongo-init: depends on %s with %q, want service_healthy", m, deps[m])
		}
	}
}

func TestComposeInstances(t *testing.T) {
	c := loadCompose(t)
	var keys []map[string]string
	for _, name := range []string{"ansinh1", "ansinh2"} {
		s := c.Services[name]
		env := envMap(s.Environment)
		uri := env["MONGODB_URI"]
		if !strings.Contains(uri, "replicaSet=rs0") {
			t.Errorf("%s: MONGODB_URI %q has no replicaSet=rs0", name, uri)
		}
		for _, h := range replicaHosts {
			if !strings.Contains(uri, h) {
				t.Errorf("%s: MONGODB_URI %q does not seed %s", name, uri, h)
			}
		}
		if got := dependsOn(s.DependsOn)["mongo-init"]; got != "service_completed_successfully" {
			t.Errorf("%s: depends on mongo-init with %q, want service_completed_successfully", name, got)
		}
		if s.Build == nil || s.Build.Dockerfile != "deploy/Dockerfile" || s.Build.Context != ".." {
			t.Errorf("%s: build %+v, want context .. and dockerfile deploy/Dockerfile", name, s.Build)
		}
		if env["ANSINH_TRUSTED_PROXIES"] == "" {
			t.Errorf("%s: ANSINH_TRUSTED_PROXIES unset: the client address would be the proxy's", name)
		}
		if !strings.HasPrefix(env["ANSINH_BASE_URL"], "https://") {
			t.Errorf("%s: ANSINH_BASE_URL %q, want https:// behind the TLS proxy", name, env["ANSINH_BASE_URL"])
		}
		k := map[string]string{}
		for _, v := range []string{"ANSINH_SECRET_KEY", "ANSINH_DATA_KEY"} {
			switch {
			case env[v+"_FILE"] != "":
				k[v] = "file:" + env[v+"_FILE"]
			case env[v] != "":
				t.Errorf("%s: %s is written into the compose file; read it from a secret file", name, v)
			default:
				t.Errorf("%s: %s is not set: each instance would generate its own", name, v)
			}
		}
		keys = append(keys, k)
	}
	if len(keys) == 2 && fmt.Sprint(keys[0]) != fmt.Sprint(keys[1]) {
		t.Errorf("the instances read different keys: %v and %v", keys[0], keys[1])
	}
	for name, s := range c.Secrets {
		if s.File == "" || !strings.HasPrefix(filepath.ToSlash(s.File), "./secrets/") {
			t.Errorf("secret %s: file %q, want one under ./secrets/ (ignored by git)", name, s.File)
		}
	}
}

func TestComposeOnlyProxyPublishes(t *testing.T) {
	c := loadCompose(t)
	for name, s := range c.Services {
		if name != "caddy" && len(s.Ports) > 0 {
			t.Errorf("%s publishes ports %v; only the proxy may", name, s.Ports)
		}
	}
	ports := fmt.Sprint(c.Services["caddy"].Ports)
	for _, p := range []string{"80:80", "443:443"} {
		if !strings.Contains(ports, p) {
			t.Errorf("caddy: ports %s, want %s", ports, p)
		}
	}
	if !strings.Contains(fmt.Sprint(c.Services["caddy"].Volumes), "./Caddyfile:/etc/caddy/Caddyfile") {
		t.Errorf("caddy does not mount ./Caddyfile")
	}
}

func TestCaddyfile(t *testing.T) {
	conf := string(readFile(t, "Caddyfile"))
	for _, want := range []string{"reverse_proxy ansinh1:8080 ansinh2:8080", "health_uri /readyz", "tls "} {
		if !strings.Contains(conf, want) {
			t.Errorf("Caddyfile lacks %q", want)
		}
	}
}

// words joins a compose command (a string or a list) with spaces.
func words(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		var parts []string
		for _, p := range v {
			parts = append(parts, fmt.Sprint(p))
		}
		return strings.Join(parts, " ")
	}
	return ""
}

// envMap reads compose environment in either of its forms.
func envMap(v any) map[string]string {
	env := map[string]string{}
	switch v := v.(type) {
	case map[string]any:
		for k, val := range v {
			if val != nil {
				env[k] = fmt.Sprint(val)
			}
		}
	case []any:
		for _, item := range v {
			k, val, _ := strings.Cut(fmt.Sprint(item), "=")
			env[k] = val
		}
	}
	return env
}

// dependsOn maps each dependency to its condition (service_started for the list form).
func dependsOn(v any) map[string]string {
	deps := map[string]string{}
	switch v := v.(type) {
	case []any:
		for _, d := range v {
			deps[fmt.Sprint(d)] = "service_started"
		}
	case map[string]any:
		for name, spec := range v {
			cond := "service_started"
			if m, ok := spec.(map[string]any); ok && m["condition"] != nil {
				cond = fmt.Sprint(m["condition"])
			}
			deps[name] = cond
		}
	}
	return deps
}

// ---- Kubernetes ----

type k8sObject struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	file string
	node *yaml.Node
}

type podTemplate struct {
	Metadata struct {
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Spec podSpec `yaml:"spec"`
}

type podSpec struct {
	TerminationGracePeriodSeconds *int         `yaml:"terminationGracePeriodSeconds"`
	SecurityContext               *securityCtx `yaml:"securityContext"`
	InitContainers                []container  `yaml:"initContainers"`
	Containers                    []container  `yaml:"containers"`
	Volumes                       []podVolume  `yaml:"volumes"`
}

type podVolume struct {
	Name                  string `yaml:"name"`
	EmptyDir              any    `yaml:"emptyDir"`
	PersistentVolumeClaim *struct {
		ClaimName string `yaml:"claimName"`
	} `yaml:"persistentVolumeClaim"`
}

type container struct {
	Name    string   `yaml:"name"`
	Image   string   `yaml:"image"`
	Command []string `yaml:"command"`
	Args    []string `yaml:"args"`
	Ports   []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	Env     []envVar `yaml:"env"`
	EnvFrom []struct {
		SecretRef *struct {
			Name string `yaml:"name"`
		} `yaml:"secretRef"`
	} `yaml:"envFrom"`
	ReadinessProbe *probe `yaml:"readinessProbe"`
	LivenessProbe  *probe `yaml:"livenessProbe"`
	Resources      struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	SecurityContext *securityCtx `yaml:"securityContext"`
	VolumeMounts    []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
}

type envVar struct {
	Name      string  `yaml:"name"`
	Value     *string `yaml:"value"`
	ValueFrom *struct {
		SecretKeyRef *struct {
			Name string `yaml:"name"`
			Key  string `yaml:"key"`
		} `yaml:"secretKeyRef"`
	} `yaml:"valueFrom"`
}

type probe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
		Port any    `yaml:"port"`
	} `yaml:"httpGet"`
}

type securityCtx struct {
	RunAsNonRoot             *bool `yaml:"runAsNonRoot"`
	ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
	AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
}

// loadManifests decodes every YAML document under k8s/.
func loadManifests(t *testing.T) []k8sObject {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("k8s", "*.y*ml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests under k8s/ (%v)", err)
	}
	var objs []k8sObject
	for _, f := range files {
		dec := yaml.NewDecoder(bytes.NewReader(readFile(t, f)))
		for {
			var n yaml.Node
			err := dec.Decode(&n)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if len(n.Content) == 0 || n.Content[0].Kind != yaml.MappingNode {
				continue // an empty document
			}
			o := k8sObject{file: f, node: &n}
			if err := n.Decode(&o); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if o.Kind == "" || o.APIVersion == "" {
				t.Errorf("%s: a document without kind or apiVersion", f)
			}
			objs = append(objs, o)
		}
	}
	return objs
}

func find(t *testing.T, objs []k8sObject, kind string) k8sObject {
	t.Helper()
	for _, o := range objs {
		if o.Kind == kind {
			return o
		}
	}
	t.Fatalf("no %s under k8s/", kind)
	return k8sObject{}
}

func decode(t *testing.T, o k8sObject, v any) {
	t.Helper()
	if err := o.node.Decode(v); err != nil {
		t.Fatalf("%s %s: %v", o.Kind, o.Metadata.Name, err)
	}
}

func TestK8sKinds(t *testing.T) {
	objs := loadManifests(t)
	have := map[string]string{}
	for _, o := range objs {
		have[o.Kind] = o.APIVersion
		if o.Kind == "Secret" {
			t.Errorf("%s: a Secret in git; the operator creates the Secret ansinh", o.file)
		}
	}
	for kind, api := range map[string]string{
		"Deployment":              "apps/v1",
		"Service":                 "v1",
		"HorizontalPodAutoscaler": "autoscaling/v2",
		"PodDisruptionBudget":     "policy/v1",
		"CronJob":                 "batch/v1",
	} {
		if have[kind] != api {
			t.Errorf("%s: apiVersion %q, want %s", kind, have[kind], api)
		}
	}
}

func TestK8sDeployment(t *testing.T) {
	var d struct {
		Spec struct {
			Replicas *int `yaml:"replicas"`
			Selector struct {
				MatchLabels map[string]string `yaml:"matchLabels"`
			} `yaml:"selector"`
			Template podTemplate `yaml:"template"`
		} `yaml:"spec"`
	}
	decode(t, find(t, loadManifests(t), "Deployment"), &d)
	if d.Spec.Replicas == nil || *d.Spec.Replicas < 2 {
		t.Errorf("replicas %v, want at least 2", d.Spec.Replicas)
	}
	pod := d.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	port8080, portName := false, "8080"
	for _, p := range c.Ports {
		if p.ContainerPort == 8080 {
			port8080 = true
			if p.Name != "" {
				portName = p.Name
			}
		}
	}
	if !port8080 {
		t.Errorf("no container port 8080")
	}
	for _, pc := range []struct {
		name string
		p    *probe
		path string
	}{
		{"readinessProbe", c.ReadinessProbe, "/readyz"},
		{"livenessProbe", c.LivenessProbe, "/healthz"},
	} {
		if pc.p == nil || pc.p.HTTPGet == nil {
			t.Errorf("%s: no httpGet probe", pc.name)
			continue
		}
		if pc.p.HTTPGet.Path != pc.path {
			t.Errorf("%s: path %q, want %s", pc.name, pc.p.HTTPGet.Path, pc.path)
		}
		if port := fmt.Sprint(pc.p.HTTPGet.Port); port != "8080" && port != portName {
			t.Errorf("%s: port %s is not the container's 8080", pc.name, port)
		}
	}
	if !nonRoot(pod, c) {
		t.Errorf("runAsNonRoot is not true")
	}
	if sc := c.SecurityContext; sc == nil || !isTrue(sc.ReadOnlyRootFilesystem) || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Errorf("container securityContext %+v, want readOnlyRootFilesystem true, allowPrivilegeEscalation false", sc)
	}
	if len(c.Resources.Requests) == 0 || len(c.Resources.Limits) == 0 {
		t.Errorf("resources: requests %v, limits %v; want both", c.Resources.Requests, c.Resources.Limits)
	}
	if !mounts(pod, c, "/tmp", func(v podVolume) bool { return v.EmptyDir != nil }) {
		t.Errorf("no emptyDir at /tmp (the root filesystem is read-only)")
	}
	if g := pod.TerminationGracePeriodSeconds; g == nil || *g <= 10 {
		t.Errorf("terminationGracePeriodSeconds %v, want more than the 10 s drain", g)
	}
	for _, v := range []string{"ANSINH_SECRET_KEY", "ANSINH_DATA_KEY", "MONGODB_URI"} {
		if !fromSecret(c, v, "ansinh") {
			t.Errorf("%s does not come from the Secret ansinh", v)
		}
	}
	noLiteralSecrets(t, "Deployment", pod)
	for k, v := range d.Spec.Selector.MatchLabels {
		if d.Spec.Template.Metadata.Labels[k] != v {
			t.Errorf("the selector %s=%s does not match the pod labels", k, v)
		}
	}
}

func TestK8sCronJob(t *testing.T) {
	objs := loadManifests(t)
	var cj struct {
		Spec struct {
			Schedule          string `yaml:"schedule"`
			ConcurrencyPolicy string `yaml:"concurrencyPolicy"`
			JobTemplate       struct {
				Spec struct {
					Template podTemplate `yaml:"template"`
				} `yaml:"spec"`
			} `yaml:"jobTemplate"`
		} `yaml:"spec"`
	}
	decode(t, find(t, objs, "CronJob"), &cj)
	if cj.Spec.Schedule == "" {
		t.Errorf("no schedule")
	}
	pod := cj.Spec.JobTemplate.Spec.Template.Spec
	if len(pod.Containers) == 0 {
		t.Fatalf("no container")
	}
	c := pod.Containers[0]
	cmd := strings.Join(append(slices.Clone(c.Command), c.Args...), " ")
	if !strings.HasPrefix(cmd, "backup /backup/") {
		t.Errorf("runs %q, want `ansinh backup /backup/...`", cmd)
	}
	if !mounts(pod, c, "/backup", func(v podVolume) bool {
		return v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == "ansinh-backup"
	}) {
		t.Errorf("/backup is not the PVC ansinh-backup")
	}
	found := false
	for _, o := range objs {
		found = found || (o.Kind == "PersistentVolumeClaim" && o.Metadata.Name == "ansinh-backup")
	}
	if !found {
		t.Errorf("no PersistentVolumeClaim ansinh-backup")
	}
	for _, v := range []string{"ANSINH_DATA_KEY", "MONGODB_URI"} {
		if !fromSecret(c, v, "ansinh") {
			t.Errorf("%s does not come from the Secret ansinh", v)
		}
	}
	if !nonRoot(pod, c) {
		t.Errorf("runAsNonRoot is not true")
	}
	noLiteralSecrets(t, "CronJob", pod)
}

func TestK8sScaling(t *testing.T) {
	objs := loadManifests(t)
	var hpa struct {
		Spec struct {
			ScaleTargetRef struct{ Kind, Name string } `yaml:"scaleTargetRef"`
			MinReplicas    int                         `yaml:"minReplicas"`
			MaxReplicas    int                         `yaml:"maxReplicas"`
			Metrics        []struct {
				Resource struct {
					Name   string `yaml:"name"`
					Target struct {
						AverageUtilization int `yaml:"averageUtilization"`
					} `yaml:"target"`
				} `yaml:"resource"`
			} `yaml:"metrics"`
		} `yaml:"spec"`
	}
	decode(t, find(t, objs, "HorizontalPodAutoscaler"), &hpa)
	s := hpa.Spec
	if s.ScaleTargetRef.Kind != "Deployment" || s.ScaleTargetRef.Name != find(t, objs, "Deployment").Metadata.Name {
		t.Errorf("the HPA scales %+v, not the Deployment", s.ScaleTargetRef)
	}
	if s.MinReplicas != 2 || s.MaxReplicas != 6 {
		t.Errorf("HPA %d–%d replicas, want 2–6", s.MinReplicas, s.MaxReplicas)
	}
	if len(s.Metrics) != 1 || s.Metrics[0].Resource.Name != "cpu" || s.Metrics[0].Resource.Target.AverageUtilization != 70 {
		t.Errorf("HPA metrics %+v, want CPU at 70 %%", s.Metrics)
	}

	var pdb struct {
		Spec struct {
			MinAvailable any `yaml:"minAvailable"`
		} `yaml:"spec"`
	}
	decode(t, find(t, objs, "PodDisruptionBudget"), &pdb)
	if fmt.Sprint(pdb.Spec.MinAvailable) != "1" {
		t.Errorf("PDB minAvailable %v, want 1", pdb.Spec.MinAvailable)
	}

	var svc struct {
		Spec struct {
			Type  string `yaml:"type"`
			Ports []struct {
				Port       int `yaml:"port"`
				TargetPort any `yaml:"targetPort"`
			} `yaml:"ports"`
		} `yaml:"spec"`
	}
	decode(t, find(t, objs, "Service"), &svc)
	if svc.Spec.Type != "" && svc.Spec.Type != "ClusterIP" {
		t.Errorf("Service type %s, want ClusterIP", svc.Spec.Type)
	}
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != 80 || !slices.Contains([]string{"8080", "http"}, fmt.Sprint(svc.Spec.Ports[0].TargetPort)) {
		t.Errorf("Service ports %+v, want 80 → 8080", svc.Spec.Ports)
	}
}

// TestK8sKustomization checks that every resource the kustomization lists exists.
func TestK8sKustomization(t *testing.T) {
	var k struct {
		Resources []string `yaml:"resources"`
	}
	if err := yaml.Unmarshal(readFile(t, filepath.Join("k8s", "kustomization.yaml")), &k); err != nil {
		t.Fatal(err)
	}
	for _, r := range k.Resources {
		if _, err := os.Stat(filepath.Join("k8s", r)); err != nil {
			t.Errorf("kustomization.yaml lists %s: %v", r, err)
		}
	}
}

// mounts reports whether c mounts, at path, a volume of pod that satisfies ok.
func mounts(pod podSpec, c container, path string, ok func(podVolume) bool) bool {
	for _, m := range c.VolumeMounts {
		if m.MountPath != path {
			continue
		}
		for _, v := range pod.Volumes {
			if v.Name == m.Name && ok(v) {
				return true
			}
		}
	}
	return false
}

func isTrue(b *bool) bool { return b != nil && *b }

// nonRoot: runAsNonRoot true on the container, or on the pod and not undone by the container.
func nonRoot(pod podSpec, c container) bool {
	if c.SecurityContext != nil && c.SecurityContext.RunAsNonRoot != nil {
		return *c.SecurityContext.RunAsNonRoot
	}
	return pod.SecurityContext != nil && isTrue(pod.SecurityContext.RunAsNonRoot)
}

// fromSecret reports whether variable v of c comes from the Secret named secret.
func fromSecret(c container, v, secret string) bool {
	for _, e := range c.Env {
		if e.Name == v {
			return e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Name == secret
		}
	}
	for _, ef := range c.EnvFrom {
		if ef.SecretRef != nil && ef.SecretRef.Name == secret {
			return true
		}
	}
	return false
}

// noLiteralSecrets fails on an env var that looks secret and has its value in the manifest.
func noLiteralSecrets(t *testing.T, kind string, pod podSpec) {
	t.Helper()
	for _, c := range append(slices.Clone(pod.InitContainers), pod.Containers...) {
		for _, e := range c.Env {
			upper := strings.ToUpper(e.Name)
			for _, word := range []string{"KEY", "SECRET", "URI", "TOKEN", "PASSWORD"} {
				if strings.Contains(upper, word) && e.Value != nil {
					t.Errorf("%s, container %s: %s has a literal value; take it from the Secret", kind, c.Name, e.Name)
					break
				}
			}
		}
	}
}

// ---- Dockerfile ----

func TestDockerfile(t *testing.T) {
	var froms, stage []string // stage: instructions since the last FROM
	all := ""
	for _, line := range instructions(t, "Dockerfile") {
		all += line + "\n"
		if strings.HasPrefix(strings.ToUpper(line), "FROM ") {
			froms = append(froms, line)
			stage = nil
		}
		stage = append(stage, line)
	}
	if len(froms) != 2 {
		t.Fatalf("%d FROM lines, want 2 (build, then run): %q", len(froms), froms)
	}
	if !strings.Contains(froms[0], "golang:1.26") {
		t.Errorf("the build stage is %q, want golang:1.26", froms[0])
	}
	if !strings.Contains(all, "CGO_ENABLED=0") {
		t.Errorf("the build does not set CGO_ENABLED=0")
	}
	user := ""
	for _, line := range stage {
		if f := strings.Fields(line); len(f) == 2 && strings.EqualFold(f[0], "USER") {
			user = f[1]
		}
	}
	if name, _, _ := strings.Cut(user, ":"); name == "" || name == "root" || name == "0" {
		t.Errorf("the final stage runs as %q, want a non-root USER", user)
	}
	for _, want := range []string{"EXPOSE 8080", `ENTRYPOINT ["/ansinh"]`, `CMD ["serve"]`, "ANSINH_DATA_DIR=/data"} {
		if !strings.Contains(strings.Join(stage, "\n"), want) {
			t.Errorf("the final stage lacks %s", want)
		}
	}
}

// instructions returns the Dockerfile's instructions, continuation lines joined and
// comments dropped.
func instructions(t *testing.T, name string) []string {
	t.Helper()
	var out []string
	cur := ""
	sc := bufio.NewScanner(bytes.NewReader(readFile(t, name)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") || (line == "" && cur == "") {
			continue
		}
		if rest, ok := strings.CutSuffix(line, `\`); ok {
			cur += rest + " "
			continue
		}
		out = append(out, strings.TrimSpace(cur+line))
		cur = ""
	}
	return out
}

// ---- systemd ----

func TestSystemdUnit(t *testing.T) {
	svc := unitSection(t, "ansinh.service", "Service")
	if exec := svc["ExecStart"]; !strings.HasSuffix(exec, "/ansinh serve") {
		t.Errorf("ExecStart=%s, want .../ansinh serve", exec)
	}
	if u := svc["User"]; u == "" || u == "root" {
		t.Errorf("User=%q, want an unprivileged user", u)
	}
	if svc["KillSignal"] != "SIGTERM" {
		t.Errorf("KillSignal=%q, want SIGTERM (the service drains on it)", svc["KillSignal"])
	}
	if svc["TimeoutStopSec"] == "" {
		t.Errorf("no TimeoutStopSec")
	}

	backup := unitSection(t, "ansinh-backup.service", "Service")
	if !strings.Contains(backup["ExecStart"], "/ansinh backup ") {
		t.Errorf("ansinh-backup.service: ExecStart=%s does not run ansinh backup", backup["ExecStart"])
	}
	if backup["User"] != svc["User"] {
		t.Errorf("ansinh-backup.service runs as %q, the service as %q", backup["User"], svc["User"])
	}
	if timer := unitSection(t, "ansinh-backup.timer", "Timer"); timer["OnCalendar"] == "" {
		t.Errorf("ansinh-backup.timer has no OnCalendar")
	}
}

// unitSection returns the last value of each key in one section of a unit file.
func unitSection(t *testing.T, name, section string) map[string]string {
	t.Helper()
	keys := map[string]string{}
	in := false
	sc := bufio.NewScanner(bytes.NewReader(readFile(t, name)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "["):
			in = line == "["+section+"]"
		case in:
			k, v, _ := strings.Cut(line, "=")
			keys[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	if !in && len(keys) == 0 {
		t.Fatalf("%s has no [%s] section", name, section)
	}
	return keys
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
