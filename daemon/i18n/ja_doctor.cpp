// Japanese for `sekishoctl doctor` (daemon/ctl/doctor_*.cpp): each check's
// texts as the check writes them, `{name}` fields included. The ids
// (config, certificate:internet, ...) and OK / WARN / FAIL stay as they
// are, so that a Japanese report reads against the English reference
// (docs/sekishoctl.md#doctor).

#include "daemon/i18n/catalog.hpp"

namespace sekisho::i18n {

namespace {

constexpr entry table[] = {
    // doctor_cmd.cpp
    {"not checked: the configuration does not load", "未確認: 設定ファイルが読み込めません"},
    {"fix the configuration first (see config above)", "まず設定を直してください（上の config を参照）"},
    {"doctor: {ok} OK, {warn} WARN, {fail} FAIL", "doctor: OK {ok} 件、WARN {warn} 件、FAIL {fail} 件"},
    // doctor_policy.cpp: config
    {"{config} and {policy} are valid (policy {hash})", "{config} と {policy} は正常です（ポリシー {hash}）"},
    {"; {count} warning(s): sekishod --check-config {config} shows them",
     "、警告 {count} 件: sekishod --check-config {config} で表示されます"},
    {"{config} does not load: {count} error(s)", "{config} が読み込めません: エラー {count} 件"},
    {"fix them, then check again: sekishod --check-config {config}",
     "エラーを直してから、もう一度確認してください: sekishod --check-config {config}"},
    // doctor_policy.cpp: catalog
    {"{count} service(s), none expiring within {days} days",
     "クラウドサービス {count} 件、{days} 日以内に期限が切れるものはありません"},
    {"service {service}: {cert} expired (its last day was {date}); reachable under exception {exception}",
     "サービス {service}: {cert} の期限が切れています（最終日 {date}）。例外 {exception} により接続できます"},
    {"service {service}: {cert} expired (its last day was {date}); valid while its renewal is decided",
     "サービス {service}: {cert} の期限が切れています（最終日 "
     "{date}）。更新の審査中のため有効として扱います"},
    {"service {service}: {cert} expired (its last day was {date})",
     "サービス {service}: {cert} の期限が切れています（最終日 {date}）"},
    {"service {service}: {cert} expires after {date} ({days} day(s) left)",
     "サービス {service}: {cert} は {date} を最後に期限が切れます（残り {days} 日）"},
    {"service {service}: {cert} withdrawn from {date}",
     "サービス {service}: {cert} は {date} から取り消されています"},
    {"every tunnel to {service} is refused: update its certification in the policy (sekishoctl catalog "
     "import-ismap for a registry), then sekishoctl reload",
     "{service} への通信はすべて拒否されます: ポリシーの認証情報を更新し（登録簿は sekishoctl catalog "
     "import-ismap で取り込み）、sekishoctl reload を実行してください"},
    {"update the certification of {service} in the policy before {date} (sekishoctl catalog status lists "
     "what "
     "falls due)",
     "{date} までにポリシー内の {service} の認証情報を更新してください（期限が近いものは sekishoctl catalog "
     "status で一覧できます）"},
    {"exception {id} for {service} ends after {date} ({days} day(s) left)",
     "{service} の例外 {id} は {date} で終了します（残り {days} 日）"},
    {"renew exception {id} in the policy, or fix what it waives ({waives}), before {date}",
     "{date} までに、ポリシーの例外 {id} を更新するか、例外の対象（{waives}）を解消してください"},
    {"not checked: the policy does not load (see config)",
     "未確認: ポリシーが読み込めません（config を参照）"},
    // doctor_tls.cpp: certificate:<listener>
    {"server certificate", "サーバー証明書"},
    {"client CA", "端末CA（クライアントCA）"},
    {"{what} {path} valid until {until} ({days} day(s) left)",
     "{what} {path} は {until} まで有効です（残り {days} 日）"},
    {"{what} {path} expires {until} ({days} day(s) left)",
     "{what} {path} は {until} に期限が切れます（残り {days} 日）"},
    {"{what} {path} expired on {until}", "{what} {path} は {until} に期限が切れました"},
    {"{what} {path} is not valid before {from}", "{what} {path} は {from} より前は無効です"},
    {"cannot read the {what} {path}: {why}", "{what} {path} を読めません: {why}"},
    {"install a renewed server certificate (and its key) at {path}, then systemctl restart sekishod (a "
     "reload "
     "does not re-read it)",
     "更新したサーバー証明書（と鍵）を {path} に置き、systemctl restart sekishod を実行してください（reload "
     "では読み直しません）"},
    {"issue a new device CA and re-issue the devices' certificates before {until}; list both CAs in {path} "
     "during "
     "the change-over, then systemctl restart sekishod",
     "{until} までに新しい端末CAを作り、端末証明書を発行し直してください。切り替えの間は両方のCAを {path} "
     "に並べ、systemctl restart sekishod を実行します"},
    {"check the clock (see `clock`) and the certificate's dates: openssl x509 -noout -dates -in {path}",
     "時刻（`clock` を参照）と証明書の日付を確認してください: openssl x509 -noout -dates -in {path}"},
    {"check listeners[{id}].tls.{key} in {config}",
     "{config} の listeners[{id}].tls.{key} を確認してください"},
    // doctor_tls.cpp: crl:<listener>
    {"{path}: nextUpdate {next} ({days} day(s) left), {revoked} revoked",
     "{path}: 次回更新 {next}（残り {days} 日）、失効 {revoked} 件"},
    {"{path}: nextUpdate {next}, in {hours} hours; after it every device is refused (crl_stale)",
     "{path}: 次回更新 {next} まで {hours} 時間です。過ぎるとすべての端末が拒否されます（crl_stale）"},
    {"{path} is past its nextUpdate {next}: sekishod refuses every device (crl_stale)",
     "{path} は次回更新 {next} を過ぎています: sekishod はすべての端末を拒否します（crl_stale）"},
    {"{path} is not valid before {this}: sekishod refuses every device (crl_stale)",
     "{path} は {this} より前は無効です: sekishod はすべての端末を拒否します（crl_stale）"},
    {"cannot read the CRL {path}: {why}", "CRL {path} を読めません: {why}"},
    {"publish a fresh CRL from the device CA and install it at {path} (openssl ca -gencrl); sekishod takes "
     "it "
     "within timeouts.crl_check, or at once with sekishoctl reload",
     "端末CAで新しいCRLを発行し（openssl ca -gencrl）、{path} に置いてください。sekishod は "
     "timeouts.crl_check 以内に、または sekishoctl reload で直ちに読み込みます"},
    // doctor_checks.cpp: key files
    {"{count} key file(s), readable by their owner only", "鍵ファイル {count} 件、所有者だけが読めます"},
    {"no key files configured", "鍵ファイルは設定されていません"},
    {"{key} {path} has mode {mode}: group or others may use it",
     "{key} {path} のモードが {mode} です: グループや他のユーザーが使えてしまいます"},
    {"chmod 600 {path}", "chmod 600 {path} を実行してください"},
    {"{key} {path}: {why}", "{key} {path}: {why}"},
    {"{key} {path} is not a regular file", "{key} {path} は通常のファイルではありません"},
    {"check {key} in {config}", "{config} の {key} を確認してください"},
    {"run as root (sudo sekishoctl doctor); if sekishod cannot read it either, give it to the daemon's user: "
     "chown <user> {path} && chmod 600 {path}",
     "root で実行してください（sudo sekishoctl doctor）。sekishod "
     "も読めない場合は、デーモンのユーザーに渡します: "
     "chown <user> {path} && chmod 600 {path}"},
    // doctor_checks.cpp: clock
    {"the clock is synchronised (estimated error {error} µs)", "時刻は同期しています（推定誤差 {error} µs）"},
    {"the clock is not synchronised (NTP); TOTP codes and certificate checks depend on it",
     "時刻が同期していません（NTP）。ワンタイムコード（TOTP）と証明書の確認は正しい時刻に依存します"},
    {"enable systemd-timesyncd or chrony (timedatectl set-ntp true)",
     "systemd-timesyncd か chrony を有効にしてください（timedatectl set-ntp true）"},
    {"cannot read the kernel's clock state: {why}", "カーネルの時刻同期状態を読めません: {why}"},
    // doctor_checks.cpp: audit disk
    {"no audit log configured (no audit: section)",
     "監査ログが設定されていません（audit: の節がありません）"},
    {"add audit: {directory: /var/log/sekisho, signing_key: ...} to {config} (docs/configuration.md#audit)",
     "{config} に audit: {directory: /var/log/sekisho, signing_key: ...} を追加してください"
     "（docs/configuration.md#audit）"},
    {"the audit directory {dir}: {why}", "監査ログのディレクトリ {dir}: {why}"},
    {"create it (mkdir -p {dir}) or fix audit.directory in {config}",
     "作成する（mkdir -p {dir}）か、{config} の audit.directory を直してください"},
    {"{free} free ({percent}%) on the filesystem of {dir}",
     "{dir} のファイルシステムの空きは {free}（{percent}%）です"},
    {"only {free} free on the filesystem of {dir}; sekishod needs at least {need}",
     "{dir} のファイルシステムの空きが {free} しかありません。sekishod には少なくとも {need} 必要です"},
    {"{free} free ({percent}%) on the filesystem of {dir}: running low",
     "{dir} のファイルシステムの空きは {free}（{percent}%）です: 残りわずかです"},
    {"free space there (archive old audit-*.log files once sekisho-audit verify passes) or move "
     "audit.directory to "
     "a larger filesystem",
     "空きを作ってください（sekisho-audit verify が通った古い audit-*.log を退避する）。または "
     "audit.directory "
     "を大きなファイルシステムへ移してください"},
    // doctor_daemon.cpp: listeners
    {"{id} {address}:{port} listening", "{id} {address}:{port} 待ち受け中"},
    {"{id} port chosen at start", "{id} ポートは起動時に決まります"},
    {"nothing answers on {address}:{port} ({id}): {why}",
     "{address}:{port}（{id}）で応答がありません: {why}"},
    {"is sekishod running? systemctl status sekishod",
     "sekishod は動いていますか？ systemctl status sekishod で確認してください"},
    {"no answer within {ms} ms", "{ms} ミリ秒以内に応答がありません"},
    // doctor_daemon.cpp: daemon
    {"not checked: {config} has no admin: section", "未確認: {config} に admin: の節がありません"},
    {"add admin: {socket: /run/sekisho/admin.sock} to {config}, then systemctl restart sekishod "
     "(docs/admin-api.md)",
     "{config} に admin: {socket: /run/sekisho/admin.sock} を追加し、systemctl restart sekishod "
     "を実行してください（docs/admin-api.md）"},
    {"cannot use the admin socket {socket}: permission denied",
     "管理ソケット {socket} を使えません: 権限がありません"},
    {"run as root or a member of admin.group: sudo sekishoctl doctor",
     "root か admin.group のメンバーとして実行してください: sudo sekishoctl doctor"},
    {"nothing answers on the admin socket {socket}: {why}",
     "管理ソケット {socket} で応答がありません: {why}"},
    {"sekishod answered {status}: {why}", "sekishod の応答 {status}: {why}"},
    {"sekishod {version} up {uptime}, policy {policy}",
     "sekishod {version} 稼働 {uptime}、ポリシー {policy}"},
    {"; the policy file changed since it was loaded (on disk {disk})",
     "。読み込み後にポリシーファイルが変更されています（ディスク上は {disk}）"},
    {"the policy file changed since it was loaded: run sekishoctl reload",
     "読み込み後にポリシーファイルが変更されています: sekishoctl reload を実行してください"},
    {"; stopping (draining)", "。停止中（既存の通信の終了待ち）"},
    {"sekishod is stopping: systemctl status sekishod (start it again once stopped)",
     "sekishod は停止中です: systemctl status sekishod で確認し、止まったら起動し直してください"},
    {"; the audit log cannot be written: {error}", "。監査ログに書き込めません: {error}"},
    {"see audit_disk above and journalctl -u sekishod",
     "上の audit_disk と journalctl -u sekishod を見てください"},
    {"; the session store is unreachable{fallback}", "。セッションストアに接続できません{fallback}"},
    {" (signing in per instance: local_fallback)", "（各インスタンスでサインイン: local_fallback）"},
    {" (new sign-ins are refused: fail_closed)", "（新しいサインインは拒否: fail_closed）"},
    {"see store below and journalctl -u sekishod -g store_unavailable",
     "下の store と journalctl -u sekishod -g store_unavailable を見てください"},
    {"; {lost} audit event(s) lost", "。監査イベント {lost} 件が失われました"},
    {"audit events were lost (queue full or the log not writable): journalctl -u sekishod -g audit_lost",
     "監査イベントが失われました（キューが満杯か、ログに書き込めない）: journalctl -u sekishod -g audit_lost "
     "を見てください"},
    // doctor_store.cpp
    {"Redis primary {server} answers (user {user}{tls})",
     "Redis プライマリ {server} が応答しています（ユーザー {user}{tls}）"},
    {"; {answered} of {sentinels} sentinel(s) answer", "。Sentinel {sentinels} 台のうち {answered} 台が応答"},
    {"a sentinel does not answer: with fewer than the quorum, a fail-over cannot happen (redis-cli -p PORT "
     "ping on "
     "each sentinel host)",
     "応答しない Sentinel があります: クォーラムを下回るとフェイルオーバーできません（各 Sentinel で "
     "redis-cli -p "
     "PORT ping を実行して確認）"},
    {"; the ACL user may not run ROLE", "。ACL ユーザーが ROLE を実行できません"},
    {"add +role to the ACL user (docs/deployment.md#store): without it a replica is recognised only when a "
     "write "
     "fails",
     "ACL ユーザーに +role を追加してください（docs/deployment.md#store）。ないとレプリカは書き込みに失敗して"
     "初めて判別されます"},
    {"{server} is a replica, not the primary", "{server} はレプリカで、プライマリではありません"},
    {"the session store cannot be reached: {why}", "セッションストアに接続できません: {why}"},
    {"with on_unavailable: fail_closed nobody can sign in: check that Redis runs (systemctl status "
     "redis-server), "
     "the address, the ACL user and password_file, and the TLS CA",
     "on_unavailable: fail_closed では誰もサインインできません: Redis が動いているか（systemctl status "
     "redis-server）、アドレス、ACL ユーザーと password_file、TLS の CA を確認してください"},
    {"auth.store.tls: {why}", "auth.store.tls: {why}"},
};

} // namespace

std::span<const entry> ja_doctor()
{
    return table;
}

} // namespace sekisho::i18n
