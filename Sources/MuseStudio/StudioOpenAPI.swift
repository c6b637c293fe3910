/// `GET /api/openapi.json`: the OpenAPI 3 description of `muse studio`'s JSON API, written by
/// hand next to the routes in `StudioServer` (the tests check every route it lists answers).
public enum StudioOpenAPI {
    /// The document.
    public static let json = #"""
{
  "openapi": "3.0.3",
  "info": {
    "title": "Muse Studio API",
    "version": "1.0.0",
    "description": "Continue, generate and interpolate music with Muse's model bundles; results as MIDI, WAV (SoundFont synthesizer) and PNG. Uploads: MIDI at most 2 MB, audio at most 20 MB, JSON bodies at most 64 kB. Every error is {\"error\": \"one message\"}."
  },
  "paths": {
    "/api/bundles": {
      "get": {
        "summary": "Bundles and training runs under the runs folder",
        "responses": { "200": { "description": "The bundles", "content": { "application/json": { "schema": {
          "type": "object", "required": ["bundles"],
          "properties": { "bundles": { "type": "array", "items": { "$ref": "#/components/schemas/Bundle" } } } } } } } }
      }
    },
    "/api/runs/{name}/metrics": {
      "get": {
        "summary": "Training curves of a run (from its checkpoints)",
        "parameters": [ { "name": "name", "in": "path", "required": true, "schema": { "type": "string" } } ],
        "responses": {
          "200": { "description": "Curves by metric name", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/RunCurves" } } } },
          "404": { "$ref": "#/components/responses/Error" }
        }
      }
    },
    "/api/uploads": {
      "post": {
        "summary": "Upload a MIDI or audio file (validated by the readers the CLI uses)",
        "parameters": [ { "name": "kind", "in": "query", "required": true, "schema": { "type": "string", "enum": ["midi", "audio"] } } ],
        "requestBody": { "required": true, "content": { "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } } },
        "responses": {
          "201": { "description": "Accepted", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Upload" } } } },
          "400": { "$ref": "#/components/responses/Error" },
          "413": { "$ref": "#/components/responses/Error" }
        }
      }
    },
    "/api/continue": {
      "post": {
        "summary": "Continue a primer (Magenta list or MIDI upload) with a melody-RNN or Music-Transformer bundle",
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ContinueRequest" } } } },
        "responses": {
          "202": { "$ref": "#/components/responses/Job" },
          "400": { "$ref": "#/components/responses/Error" }, "404": { "$ref": "#/components/responses/Error" },
          "413": { "$ref": "#/components/responses/Error" }, "422": { "$ref": "#/components/responses/Error" }
        }
      }
    },
    "/api/generate": {
      "post": {
        "summary": "Samples from a MusicVAE, or a Music Transformer from nothing",
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/GenerateRequest" } } } },
        "responses": {
          "202": { "$ref": "#/components/responses/Job" },
          "400": { "$ref": "#/components/responses/Error" }, "404": { "$ref": "#/components/responses/Error" },
          "422": { "$ref": "#/components/responses/Error" }
        }
      }
    },
    "/api/interpolate": {
      "post": {
        "summary": "Two MIDI uploads through a MusicVAE, or two audio uploads through a spectrogram VAE",
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/InterpolateRequest" } } } },
        "responses": {
          "202": { "$ref": "#/components/responses/Job" },
          "400": { "$ref": "#/components/responses/Error" }, "404": { "$ref": "#/components/responses/Error" },
          "422": { "$ref": "#/components/responses/Error" }
        }
      }
    },
    "/api/jobs/{id}": {
      "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ],
      "get": {
        "summary": "A job's state, progress and results (poll until done, failed or cancelled)",
        "parameters": [ { "name": "wait", "in": "query", "required": false,
          "description": "Seconds (at most 10) to hold the answer until the job's state, progress or message changes",
          "schema": { "type": "number", "minimum": 0, "maximum": 10 } } ],
        "responses": { "200": { "$ref": "#/components/responses/Job" }, "404": { "$ref": "#/components/responses/Error" } }
      },
      "delete": {
        "summary": "Cancel a job (it stops before its next output)",
        "responses": { "200": { "$ref": "#/components/responses/Job" }, "404": { "$ref": "#/components/responses/Error" } }
      }
    },
    "/api/jobs/{id}/files/{file}": {
      "get": {
        "summary": "A result file: .mid, .wav or .png",
        "parameters": [
          { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } },
          { "name": "file", "in": "path", "required": true, "schema": { "type": "string" } }
        ],
        "responses": {
          "200": { "description": "The file", "content": {
            "audio/midi": { "schema": { "type": "string", "format": "binary" } },
            "audio/wav": { "schema": { "type": "string", "format": "binary" } },
            "image/png": { "schema": { "type": "string", "format": "binary" } } } },
          "404": { "$ref": "#/components/responses/Error" }
        }
      }
    },
    "/api/openapi.json": {
      "get": { "summary": "This document", "responses": { "200": { "description": "OpenAPI 3 document", "content": { "application/json": { "schema": { "type": "object" } } } } } }
    }
  },
  "components": {
    "responses": {
      "Error": { "description": "One message", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
      "Job": { "description": "The job", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Job" } } } }
    },
    "schemas": {
      "Error": { "type": "object", "required": ["error"], "properties": { "error": { "type": "string" } } },
      "Bundle": { "type": "object", "required": ["id", "kind", "summary", "capabilities", "metrics", "checkpoints"], "properties": {
        "id": { "type": "string" }, "kind": { "type": "string" }, "summary": { "type": "string" },
        "capabilities": { "type": "array", "items": { "type": "string" } }, "step": { "type": "integer" },
        "metrics": { "type": "object", "additionalProperties": { "type": "number" } }, "checkpoints": { "type": "integer" } } },
      "RunCurves": { "type": "object", "required": ["run", "checkpoints", "series"], "properties": {
        "run": { "type": "string" }, "checkpoints": { "type": "array", "items": { "type": "integer" } },
        "series": { "type": "object", "additionalProperties": { "type": "array", "items": { "type": "object", "required": ["step", "value"],
          "properties": { "step": { "type": "integer" }, "value": { "type": "number" } } } } } } },
      "Upload": { "type": "object", "required": ["id", "kind", "bytes", "seconds"], "properties": {
        "id": { "type": "string" }, "kind": { "type": "string", "enum": ["midi", "audio"] }, "bytes": { "type": "integer" },
        "notes": { "type": "integer" }, "seconds": { "type": "number" } } },
      "ContinueRequest": { "type": "object", "required": ["bundle"], "properties": {
        "bundle": { "type": "string" }, "primer": { "type": "string", "example": "[60, -2, 62]" }, "primerUpload": { "type": "string" },
        "primerSeconds": { "type": "number", "default": 5 }, "temperature": { "type": "number", "default": 1 },
        "length": { "type": "integer", "description": "steps (melody RNN, default 64) or events (Transformer, default 256) after the primer" },
        "count": { "type": "integer", "default": 2, "minimum": 1, "maximum": 16 }, "seed": { "type": "integer", "default": 0 } } },
      "GenerateRequest": { "type": "object", "required": ["bundle"], "properties": {
        "bundle": { "type": "string" }, "temperature": { "type": "number" }, "length": { "type": "integer", "default": 256 },
        "count": { "type": "integer", "default": 4, "minimum": 1, "maximum": 16 }, "seed": { "type": "integer", "default": 0 } } },
      "InterpolateRequest": { "type": "object", "required": ["bundle", "a", "b"], "properties": {
        "bundle": { "type": "string" }, "a": { "type": "string", "description": "upload id" }, "b": { "type": "string" },
        "steps": { "type": "integer", "default": 5, "minimum": 2, "maximum": 32 }, "slerp": { "type": "boolean", "default": false },
        "temperature": { "type": "number", "default": 0.5 }, "mode": { "type": "string", "enum": ["steps", "morph"] },
        "seed": { "type": "integer", "default": 0 } } },
      "Result": { "type": "object", "required": ["title", "wav", "seconds"], "properties": {
        "title": { "type": "string" }, "midi": { "type": "string" }, "wav": { "type": "string" }, "png": { "type": "string" },
        "notes": { "type": "integer" }, "seconds": { "type": "number" } } },
      "Job": { "type": "object", "required": ["id", "kind", "state", "progress", "message", "results"], "properties": {
        "id": { "type": "string" }, "kind": { "type": "string" },
        "state": { "type": "string", "enum": ["queued", "running", "done", "failed", "cancelled"] },
        "progress": { "type": "number", "minimum": 0, "maximum": 1 }, "message": { "type": "string" },
        "results": { "type": "array", "items": { "$ref": "#/components/schemas/Result" } } } }
    }
  }
}
"""#
}
