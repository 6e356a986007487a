// Japanese for `sekishoctl policy explain` (daemon/ctl/explain.cpp: what each
// reason means and what to do; explain_cmd.cpp: the labels and the lines of
// the text report) and for `sekishoctl catalog status | import-ismap`
// (catalog_cmd.cpp, catalog_import.cpp). Reason codes, rule ids, zone and
// layer names, `ok` / `FAIL`, the column headings of the tables and the
// values in them stay as they are: they are what the audit log and the
// documentation say. --json stays English.
//
// Most entries are templates looked up as written (text()); the texts
// explain_cmd.cpp takes from chain.cpp (a role's steps, the report-mode
// line) and the catalog lines are matched as patterns (message()), after
// every other table.

#include "daemon/i18n/catalog.hpp"

namespace sekisho::i18n {

namespace {

constexpr entry table[] = {
    // ---- explain.cpp: what a reason means, what to do ----------------------
    {"The destination is approved for this layer.", "接続先はこの層で承認されています。"},
    {"Nothing to do.", "対応は不要です。"},
    {"The destination is in the My Number layer (マイナンバー利用事務系), which telework never reaches, by "
     "name, by address or through DNS (invariant 1).",
     "接続先はマイナンバー利用事務系にあります。テレワークからは、名前でも、アドレスでも、DNS "
     "を経由しても到達できません（不変条件 1）。"},
    {"None: no policy can open it. Use a terminal inside the My Number layer.",
     "なし: どのポリシーでも開けられません。マイナンバー利用事務系の中の端末を使ってください。"},
    {"The destination belongs to another layer than the listener the device connected to; a tunnel stays in "
     "its listener's layer (invariant 2).",
     "接続先は、端末が接続したリスナーとは別の層に属しています。通信はリスナーの層の中にとどまります（不変条"
     "件 "
     "2）。"},
    {"Connect through the listener of the destination's layer (LGWAN or internet).",
     "接続先の層（LGWAN接続系またはインターネット接続系）のリスナーを通して接続してください。"},
    {"LGWAN-layer destinations are reachable only as approved screen-transfer endpoints (invariant 3), and "
     "this host is not one.",
     "LGWAN接続系の接続先には、承認された画面転送の接続先としてしか到達できません（不変条件 "
     "3）。このホストはそれに当たりません。"},
    {"If it is an approved screen-transfer service, add it to screen_transfer: with its ports.",
     "承認済みの画面転送サービスであれば、ポートとともに screen_transfer: に追加してください。"},
    {"Internet destinations are reachable only as catalogued cloud services (invariant 4), and this name is "
     "in no service's domains.",
     "インターネット接続系の接続先には、カタログに載ったクラウドサービスとしてしか到達できません（不変条件 "
     "4）。この名前はどのサービスの domains にもありません。"},
    {"If the service has been vetted, add its names and ports to services:.",
     "サービスの審査が済んでいれば、その名前とポートを services: に追加してください。"},
    {"The host is approved, but not on this port.",
     "ホストは承認されていますが、このポートは承認されていません。"},
    {"Add the port to the entry if it is needed.", "必要であれば、そのエントリにポートを追加してください。"},
    {"An internet destination was asked for by IP address; services are catalogued by name so that an "
     "address cannot bypass the catalogue.",
     "インターネット接続系の接続先が IP "
     "アドレスで指定されました。アドレスでカタログを迂回できないよう、サービスは名前でカタログに載せています"
     "。"},
    {"Configure the client to use the service's name.",
     "クライアントがサービスの名前で接続するように設定してください。"},
    {"The address is in special-purpose space (private, loopback, link-local, ...) and in no zone.",
     "アドレスが特殊用途の範囲（プライベート、ループバック、リンクローカルなど）にあり、どのゾーンにも属して"
     "いません。"},
    {"If it is a municipal network, list its range in the right zone.",
     "自団体のネットワークであれば、その範囲を正しいゾーンに記載してください。"},
    {"The name is approved, but DNS answered with an address outside the name's zone (a DNS rebinding or "
     "SSRF guard, invariant 5).",
     "名前は承認されていますが、DNS が名前のゾーンの外にあるアドレスを返しました（DNS リバインディングや "
     "SSRF への対策、不変条件 5）。"},
    {"Check the DNS answer; if the address is right, list its range in the zone.",
     "DNS の応答を確認してください。アドレスが正しければ、その範囲をゾーンに記載してください。"},
    {"The destination is the gateway itself (a proxy loop).",
     "接続先がゲートウェイ自身です（プロキシのループ）。"},
    {"None.", "なし。"},
    {"The name resolved to no address.", "名前を解決しても、アドレスが得られませんでした。"},
    {"Check DNS or the hosts: map.", "DNS か hosts: の対応表を確認してください。"},
    {"The device's certificate is valid but matches no device in the inventory (devices:).",
     "端末の証明書は有効ですが、端末台帳（devices:）のどの端末とも一致しません。"},
    {"Register the device with its certificate fingerprint or serial.",
     "証明書のフィンガープリントかシリアル番号で、端末を端末台帳に登録してください。"},
    {"The device is reported lost; it is refused whatever it asks for.",
     "端末は紛失と報告されています。何を要求しても拒否されます。"},
    {"If it has been found, check it for tampering, then set `status: active`.",
     "見つかった場合は、改ざんがないかを確認してから `status: active` にしてください。"},
    {"The device is retired.", "端末は廃止されています。"},
    {"Use a current device; retired ones are kept only for the record.",
     "現在使っている端末を使ってください。廃止した端末は記録のためだけに残しています。"},
    {"The device's registration has expired (`expires`).",
     "端末の登録の有効期限（`expires`）が切れています。"},
    {"Renew the registration if the device is still in use.",
     "端末をまだ使うのであれば、登録を更新してください。"},
    {"The device is a personal one (byod) and this policy does not allow BYOD.",
     "個人所有の端末（byod）ですが、このポリシーは BYOD を認めていません。"},
    {"Use a lent device, or set `byod_allowed: true` where policy permits it.",
     "貸与端末を使うか、規程で認められている場合は `byod_allowed: true` にしてください。"},
    {"No such user in the policy (users:).", "その利用者はポリシー（users:）にいません。"},
    {"Add the user with their roles.", "利用者をロールとともに追加してください。"},
    {"The user's access has expired (`expires`), e.g. a contractor's term ended.",
     "利用者のアクセスの有効期限（`expires`）が切れています（委託先の契約期間が終わった場合など）。"},
    {"Extend `expires` if the access is still approved.",
     "アクセスがまだ承認されているのであれば、`expires` を延長してください。"},
    {"The device is registered to another user.", "端末は別の利用者に登録されています。"},
    {"Use your own device, or correct its owner.", "本人の端末を使うか、端末の所有者を訂正してください。"},
    {"None of the user's roles grants this destination on this layer.",
     "利用者のどのロールも、この層でこの接続先を許可していません。"},
    {"If the user needs it, add the service or endpoint (or its tag) to one of their roles.",
     "利用者に必要であれば、そのサービスまたは接続先（あるいはそのタグ）を利用者のロールのどれかに追加してく"
     "だ"
     "さい。"},
    {"The service carries a higher data class (自治体機密性) than the role may reach.",
     "サービスのデータ分類（自治体機密性）が、ロールが扱える分類より高くなっています。"},
    {"Use a role approved for that class, or correct the service's data_class.",
     "その分類が承認されたロールを使うか、サービスの data_class を訂正してください。"},
    {"Outside the hours the role may telework (Asia/Tokyo).",
     "ロールがテレワークできる時間帯（Asia/Tokyo）の外です。"},
    {"Try again within the role's hours, or ask for them to be extended.",
     "ロールの時間帯の中でもう一度試すか、時間帯の延長を依頼してください。"},
    {"The device's endpoint posture report is missing or older than the role allows.",
     "端末の状態確認の報告がないか、ロールが認めるより古くなっています。"},
    {"Run the posture check (antivirus, patches, disk encryption) and update the inventory.",
     "端末の状態確認（ウイルス対策、パッチ、ディスク暗号化）を行い、端末台帳を更新してください。"},
    {"The role requires a second factor (password + one-time code) and the session has none.",
     "ロールは多要素認証（パスワードとワンタイムコード）を求めていますが、このセッションには第二要素があり"
     "ません。"},
    {"Sign in with your password and one-time code.",
     "パスワードとワンタイムコードでサインインしてください。"},
    {"The service has no certification recorded (ISMAP, ISMAP-LIU or a municipal assessment): uncertified "
     "cloud services are not used (DOMAIN.md §7 rule 9).",
     "サービスに認証（ISMAP、ISMAP-LIU "
     "または自団体による評価）が記録されていません。認証のないクラウドサービスは使いません（DOMAIN.md §7 "
     "ルール "
     "9）。"},
    {"Record its registration under certification:, or approve a time-limited exception (docs/catalog.md).",
     "certification: に登録を記録するか、期限付きの例外を承認してください（docs/catalog.md）。"},
    {"The service's certification starts later than now.", "サービスの認証の開始日がまだ来ていません。"},
    {"Wait for the registration date, or correct certification.registered.",
     "登録日を待つか、certification.registered を訂正してください。"},
    {"The service's certification has expired (at midnight Asia/Tokyo after valid_until) and no renewal is "
     "recorded as pending.",
     "サービスの認証の有効期限が切れており（valid_until の翌日 0 時、Asia/Tokyo）、更新申請中の記録もありま"
     "せん。"},
    {"Check the ISMAP list: record the new valid_until, or renewal_pending if the provider has applied.",
     "ISMAP の一覧を確認してください: 新しい valid_until "
     "を記録するか、事業者が更新を申請済みであれば renewal_pending を記録してください。"},
    {"The service's certification was withdrawn or removed from the list.",
     "サービスの認証が取り消されたか、一覧から削除されました。"},
    {"Stop using the service, or record a new registration once it has one.",
     "サービスの利用をやめるか、新たに登録されたらその登録を記録してください。"},
    {"The service is registered under ISMAP-LIU only, and none of the role's business categories is one it "
     "was assessed for.",
     "サービスは ISMAP-LIU "
     "だけの登録で、ロールの業務区分のどれも、サービスが評価を受けた区分に当たりません。"},
    {"Use it only for the work it was assessed for: add the category to the role's business if that is the "
     "work, otherwise use another service.",
     "評価を受けた業務にだけ使ってください: その業務であればロールの business "
     "に区分を追加し、そうでなければ別のサービスを使ってください。"},
    {"The service's provider is on supply_chain.restricted_providers.",
     "サービスの事業者が supply_chain.restricted_providers に載っています。"},
    {"Use another service; an exception needs the approval your rules require.",
     "別のサービスを使ってください。例外とするには、規程で定める承認が必要です。"},
    {"The provider, its parent or a subprocessor is in a country on supply_chain.restricted_countries.",
     "事業者、その親会社または再委託先が、supply_chain.restricted_countries の国にあります。"},
    {"Use another service; the detail names the country and the company.",
     "別のサービスを使ってください。国と会社の名前は判定の詳細にあります。"},
    {"The service stores data, or fails over, outside the countries supply_chain.residency requires for its "
     "data class (or its residency is not recorded).",
     "サービスのデータの保存先またはフェイルオーバー先が、supply_chain.residency "
     "がそのデータ分類に求める国の外にあります（または保存先が記録されていません）。"},
    {"Record its storage and failover countries, or use a service that keeps the data in Japan.",
     "保存先とフェイルオーバー先の国を記録するか、データを国内に保つサービスを使ってください。"},
    {"The service's periodic review (approval.review_due) has passed.",
     "サービスの定期的な見直しの期限（approval.review_due）が過ぎています。"},
    {"Review the service and record a new approval.review_due.",
     "サービスを見直し、新しい approval.review_due を記録してください。"},
    {"Known-exploited vulnerabilities are open past the grace period in the service's software (as "
     "attested), or the attestation is missing or too old.",
     "サービスのソフトウェアに既知の悪用された脆弱性が猶予期間を過ぎて残っている（事業者の表明による）か、"
     "その表明がないか古すぎます。"},
    {"Ask the provider to fix them and attest again; record sbom.kev_open and sbom.attested.",
     "事業者に修正と表明のやり直しを依頼し、sbom.kev_open と sbom.attested を記録してください。"},

    // ---- explain_cmd.cpp: the labels ("label: " + the English label) -------
    {"label: policy", "ポリシー"},
    {"label: request", "要求"},
    {"label: who", "要求元"},
    {"label: destination", "接続先"},
    {"label: role", "ロール"},
    {"label: roles", "ロール"},
    {"label: address", "アドレス"},
    {"label: answer", "判定"},
    {"label: report", "記録のみ"},
    {"label: why", "理由"},
    {"label: what to do", "対処"},
    {"label: note", "補足"},

    // ---- explain_cmd.cpp: the lines (templates) ----------------------------
    {"CONNECT {target} on the {layer} listener, at {time}, with a second factor",
     "CONNECT {target}（{layer} のリスナー、{time}、第二要素あり）"},
    {"CONNECT {target} on the {layer} listener, at {time}, one factor",
     "CONNECT {target}（{layer} のリスナー、{time}、単一要素）"},
    {"user: none given (--user); nobody is identified",
     "利用者: 指定なし（--user）。誰とも特定されていません"},
    {"user {id}: not in users: (unknown_user)", "利用者 {id}: users: にいません（unknown_user）"},
    {"user {id}: {about}; roles {roles}", "利用者 {id}: {about}。ロール: {roles}"},
    {"user {id}; roles {roles}", "利用者 {id}。ロール: {roles}"},
    {"; expired on {time}", "。{time} に期限切れ"},
    {"; expires on {time}", "。{time} に期限切れ予定"},
    {"device: none given (--device); an unregistered device is refused (unknown_device)",
     "端末: 指定なし（--device）。登録されていない端末は拒否されます（unknown_device）"},
    {"; {user}'s devices: none", "。{user} の端末: なし"},
    {"; {user}'s devices: {devices}", "。{user} の端末: {devices}"},
    {"device {id}: not in devices: (unknown_device)", "端末 {id}: devices: にありません（unknown_device）"},
    {"device {id}: {kind}, {status}", "端末 {id}: {kind}、{status}"},
    {", the user's own device", "、利用者本人の端末"},
    {", owned by {owner}", "、所有者 {owner}"},
    {", owned by {owner}, not by {user}", "、所有者は {owner}（{user} ではありません）"},
    {"; posture verified {time}", "。端末の状態確認 {time}"},
    {"; posture never verified", "。端末の状態確認の記録なし"},
    {"zone {zone}", "ゾーン {zone}"},
    {"; service {id}, data class {class}, ports {ports}",
     "。サービス {id}、データ分類 {class}、ポート {ports}"},
    {"; service {id} ({name}), data class {class}, ports {ports}",
     "。サービス {id}（{name}）、データ分類 {class}、ポート {ports}"},
    {"; port {port} is not listed", "。ポート {port} は記載されていません"},
    {"; screen_transfer {id} ({host}), ports {ports}", "。画面転送 {id}（{host}）、ポート {ports}"},
    {"; an address, not a catalogued name", "。アドレスでの指定です（カタログに載った名前ではありません）"},
    {"; in no service's domains", "。どのサービスの domains にもありません"},
    {"; not an approved screen-transfer endpoint", "。承認された画面転送の接続先ではありません"},
    {"; the listener serves the {layer} layer", "。このリスナーは {layer} 層のものです"},
    {"{id} ({mode}; layers {layers})", "{id}（{mode}、層: {layers}）"},
    {"=> admits the request", "=> 許可します"},
    {"=> would deny: {reason} (enforce: report, so it only records it)",
     "=> 拒否に当たります: {reason}（enforce: report のため記録のみ）"},
    {"=> denies: {reason}", "=> 拒否します: {reason}"},
    {"not consulted: the request is refused before the roles",
     "確認していません: ロールを見る前に拒否されます"},
    {"{address} -> zone {zone}", "{address} -> ゾーン {zone}"},
    {"the name is allowed, but the DNS answer is refused",
     "名前は許可されていますが、DNS の応答が拒否されます"},
    {"200 allow: reason {reason}, rule {rule}", "200 許可: 理由 {reason}、ルール {rule}"},
    {"403 deny: reason {reason}, rule {rule}", "403 拒否: 理由 {reason}、ルール {rule}"},
    {", role {role}", "、ロール {role}"},
    {", {detail}", "、{detail}"},
    {"(enforce: report records it) {meaning}", "（enforce: report のため記録のみ）{meaning}"},
    {"the name is allowed; sekishod still vets every address DNS returns for it (check them with --resolves)",
     "名前は許可されています。sekishod は DNS が返すアドレスも一つずつ確認します（--resolves "
     "で確かめられます）"},

    // ---- chain.cpp, matched as patterns: a role's steps, report mode -------
    {"layer: not the {layer} layer ({layers})", "層: {layer} 層は使えません（{layers}）"},
    {"layer: may use the {layer} layer", "層: {layer} 層を使えます"},
    {"grant: service {id} is granted ({by})", "許可: サービス {id} は許可されています（{by}）"},
    {"grant: service {id} is granted", "許可: サービス {id} は許可されています"},
    {"grant: service {id} is not granted", "許可: サービス {id} は許可されていません"},
    {"grant: screen_transfer {id} is granted ({by})", "許可: 画面転送 {id} は許可されています（{by}）"},
    {"grant: screen_transfer {id} is granted", "許可: 画面転送 {id} は許可されています"},
    {"grant: screen_transfer {id} is not granted", "許可: 画面転送 {id} は許可されていません"},
    {"data class: the service carries {service}, the role reaches up to {role}",
     "データ分類: サービスは {service}、ロールは {role} まで扱えます"},
    {"data class: the service carries {service}, above the role's {role}",
     "データ分類: サービスは {service} で、ロールの上限 {role} を超えています"},
    {"ISMAP-LIU: the role's business is a category the service was assessed for",
     "ISMAP-LIU: ロールの業務は、サービスが評価を受けた区分に当たります"},
    {"ISMAP-LIU: none of the role's business categories ({categories}) was assessed for the service",
     "ISMAP-LIU: ロールの業務区分（{categories}）はどれも、サービスの評価の対象ではありません"},
    {"mfa: required; the session has a second factor",
     "多要素認証: 必要。このセッションには第二要素があります"},
    {"mfa: required; the session has no second factor",
     "多要素認証: 必要。このセッションには第二要素がありません"},
    {"mfa: not required (one factor is enough)", "多要素認証: 不要（単一要素で足ります）"},
    {"hours: any time", "時間帯: 制限なし"},
    {"hours: {hours}: {time} is within", "時間帯: {hours}: {time} は時間内です"},
    {"hours: {hours}: {time} is outside", "時間帯: {hours}: {time} は時間外です"},
    {"posture: not checked by this role", "端末の状態: このロールでは確認しません"},
    {"posture: a report no older than {limit}; the device has never passed a posture check",
     "端末の状態: {limit} 以内の報告が必要。この端末は状態確認に合格したことがありません"},
    {"posture: a report no older than {limit}; the device passed one on {time}, {age} before: too old",
     "端末の状態: {limit} 以内の報告が必要。この端末の合格は {time}（{age} 前）で、古すぎます"},
    {"posture: a report no older than {limit}; the device passed one on {time}, {age} before",
     "端末の状態: {limit} 以内の報告が必要。この端末の合格は {time}（{age} 前）"},
    {"allowed, but role {role} would deny: {reason}",
     "許可。ただしロール {role} は拒否に当たると記録します: {reason}"},

    // ---- explain_cmd.cpp, catalog_*.cpp: usage problems --------------------
    {"explain needs --layer and --target", "explain には --layer と --target が必要です"},
    {"--layer is lgwan or internet", "--layer には lgwan か internet を指定してください"},
    {"--resolves takes IP addresses separated by commas",
     "--resolves には IP アドレスをカンマ区切りで指定してください"},
    {"--at takes a time like 2027-04-01T09:00+09:00",
     "--at には 2027-04-01T09:00+09:00 のような時刻を指定してください"},
    {"--target {target}: {why} (the gateway answers 400 invalid_target)",
     "--target {target}: {why}（ゲートウェイは 400 invalid_target を返します）"},
    {"--within takes a number of days, 0 to 3650", "--within には 0 から 3650 までの日数を指定してください"},
    {"--at takes a time with an offset, e.g. 2027-04-01T09:00+09:00",
     "--at には時差付きの時刻を指定してください（例: 2027-04-01T09:00+09:00）"},
    {"--scheme takes ismap or ismap_liu", "--scheme には ismap か ismap_liu を指定してください"},
    {"--today takes a date, e.g. 2026-11-22", "--today には日付を指定してください（例: 2026-11-22）"},

    // ---- catalog_cmd.cpp: catalog status (patterns) ------------------------
    {"{file} at {time}: {services} service(s); {count} finding(s) (past due, or within {days} days)",
     "{file}（{time} 時点）: クラウドサービス {services} 件、要対応 {count} 件（期限切れ、または {days} "
     "日以内）"},
    {"reachable under an exception only", "例外によってのみ接続できます"},
    {"every tunnel is denied", "すべての通信が拒否されます"},
    {"{number} (valid while the renewal is decided)", "{number}（更新の審査中は有効）"},
    {"approved by {by}", "承認: {by}"},
    {"{count} known-exploited vulnerabilities open past the grace period",
     "既知の悪用された脆弱性 {count} 件が猶予期間を過ぎて残っています"},
    {"waives {reasons}; approved by {by}", "免除: {reasons}。承認: {by}"},

    // ---- catalog_import.cpp: catalog import-ismap (patterns) ---------------
    {"{csv}: {count} {scheme} registration(s) read; dry run, nothing written to {registry}",
     "{csv}: {scheme} の登録 {count} 件を読みました。試行のみで、{registry} には何も書き込んでいません"},
    {"{csv}: {count} {scheme} registration(s) read; written to {registry}",
     "{csv}: {scheme} の登録 {count} 件を読みました。{registry} に書き込みました"},
    {"{csv}: {count} {scheme} registration(s) read; no change to {registry}",
     "{csv}: {scheme} の登録 {count} 件を読みました。{registry} に変更はありません"},
    {"{new} new, {renewed} renewed, {changed} changed, {relisted} relisted, {removed} removed, {expired} "
     "expired",
     "new（新規）{new} 件、renewed（更新）{renewed} 件、changed（変更）{changed} 件、relisted（再掲載）"
     "{relisted} 件、removed（掲載終了）{removed} 件、expired（期限切れ）{expired} 件"},
    {"note: no `{column}` column in {csv} (see --columns); that field is kept as it was",
     "注: {csv} に `{column}` の列がありません（--columns を参照）。この項目はこれまでの値のままです"},
    {"Removed registrations are kept with `withdrawn:`; services that name them are denied "
     "(certification_withdrawn). {hint}",
     "一覧から消えた登録は `withdrawn:` "
     "を付けて残します。それを指定するサービスは拒否されます（certification_withdrawn）。{hint}"},
    {"sekishod applies it at the next reload: systemctl reload sekishod (or kill -HUP <pid>)",
     "sekishod は次の再読み込みで反映します: systemctl reload sekishod（または kill -HUP <pid>）"},
    {"internal error: the new registry does not read back; nothing written",
     "内部エラー: 新しい登録簿を読み戻せません。何も書き込んでいません"},
};

} // namespace

std::span<const entry> ja_explain()
{
    return table;
}

} // namespace sekisho::i18n
