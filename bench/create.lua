-- wrk script: dossiers received at the counter (POST /api/v1/dossiers) by an officer whose
-- Bearer token is in the TOKEN environment variable; one dossier per request, each its own
-- transaction (code sequence, first event, projection, facts, rollups, outbox).
wrk.method = "POST"
wrk.path = "/api/v1/dossiers"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("TOKEN"), "TOKEN missing")
wrk.body = [[{"procedure_code":"1.004194","channel":"counter",
 "applicant":{"kind":"citizen","name":"Người thử tải","id_number":"062090000000",
 "phone":"","email":"","address":""},"components":[]}]]

function done(summary, latency, requests)
  io.write(string.format("non2xx_or_3xx %d\n", summary.errors.status))
end
