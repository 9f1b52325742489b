# Cmdlet invocations in the shapes Exchange Online's documentation and admin scripts use.
# Entries are separated by blank lines; each must parse and bind (shell.check) without error.
# corpus.test.ts also runs the whole file against the in-memory services.

Get-AcceptedDomain

Get-AcceptedDomain | Format-Table Name, DomainName, DomainType, Default

New-AcceptedDomain -Name "Contoso" -DomainName contoso.com -DomainType Authoritative

New-AcceptedDomain -Name Fabrikam -DomainName fabrikam.com -DomainType InternalRelay

New-AcceptedDomain -Name "Sub domains" -DomainName *.tailspintoys.com -WhatIf

Get-AcceptedDomain -Identity contoso.com

Set-AcceptedDomain -Identity Contoso -MakeDefault $true

Set-AcceptedDomain Fabrikam -DomainType Authoritative

Remove-AcceptedDomain -Identity "Fabrikam" -Confirm:$false

Get-OrganizationConfig

Get-OrganizationConfig | Format-List RejectDirectSend

Set-OrganizationConfig -RejectDirectSend $true

Set-OrganizationConfig -RejectDirectSend:$false

(Get-OrganizationConfig).RejectDirectSend

New-InboundConnector -Name "Contoso Inbound Connector" -SenderDomains *.contoso.com -RestrictDomainsToIPAddresses $true -SenderIPAddresses 192.168.0.1,10.0.0.0/24

New-InboundConnector -Name "Inbound from Fabrikam" -SenderDomains fabrikam.com -RequireTls $true -RestrictDomainsToCertificate $true -TlsSenderCertificateName mail.fabrikam.com

New-InboundConnector -Name "Third-party filter" -ConnectorType Partner -SenderDomains * -RestrictDomainsToIPAddresses $true -SenderIPAddresses 203.0.113.0/24

New-InboundConnector -Name "On-premises" -ConnectorType OnPremises -SenderDomains * -SenderIPAddresses 198.51.100.10 -TreatMessagesAsInternal $true -CloudServicesMailEnabled $false

New-InboundConnector -Name "Hybrid" -ConnectorType OnPremises -SenderDomains * -TlsSenderCertificateName *.contoso.com -CloudServicesMailEnabled $true -Comment "Created by HCW" -AssociatedAcceptedDomains contoso.com

Get-InboundConnector

Get-InboundConnector "Contoso Inbound Connector" | Format-List

Get-InboundConnector | Format-Table Name, ConnectorType, SenderIPAddresses -AutoSize

Set-InboundConnector "Contoso Inbound Connector" -RequireTls $true -TlsSenderCertificateName contoso.com

Set-InboundConnector -Identity "Contoso Inbound Connector" -SenderIPAddresses @{Add="10.0.1.0/24","10.0.2.5"; Remove="192.168.0.1"}

Set-InboundConnector -Identity "Contoso Inbound Connector" -Enabled:$false

Set-InboundConnector "Contoso Inbound Connector" -EFSkipLastIP $false -EFSkipIPs 10.0.0.1-10.0.0.20,172.16.0.0/16

Get-InboundConnector "Hybrid" | Set-InboundConnector -Comment "Reviewed"

Remove-InboundConnector "Third-party filter" -Confirm:$false

New-TransportRule -Name "Redirect to quarantine if not coming from known IPs" -Quarantine $true -ExceptIfHeaderContainsMessageHeader 'X-MS-Exchange-Organization-AuthAs' -ExceptIfHeaderContainsWords 'Internal' –ExceptIfSenderIpRanges ‘203.0.113.0/24,198.51.100.7 ' -StopRuleProcessing $true -Priority 0

New-TransportRule "Ethical Wall - Sales and Brokerage Departments" -BetweenMemberOf1 sales@contoso.com -BetweenMemberOf2 brokerage@contoso.com -ExceptIfFrom "tony.smith@contoso.com","pilar.ackerman@contoso.com" -ExceptIfSubjectContainsWords "Press Release","Corporate Communication" -RejectMessageReasonText "Messages sent between the Sales and Brokerage departments are strictly prohibited."

New-TransportRule -Name "Mark as spam" -SenderDomainIs fabrikam.com -SetSCL 9

New-TransportRule -Name "Bypass clutter" -SetHeaderName "X-MS-Exchange-Organization-BypassClutter" -SetHeaderValue "true"

New-TransportRule -Name "Block executables" -AttachmentHasExecutableContent $true -RejectMessageEnhancedStatusCode 5.7.901 -RejectMessageReasonText "Executable attachments aren't allowed"

New-TransportRule -Name "Large attachments" -AttachmentSizeOver 10MB -PrependSubject "[Large] "

New-TransportRule -Name "Large messages" -MessageSizeOver "25 MB" -SentToScope NotInOrganization -Mode AuditAndNotify -GenerateNotification "Big message from %%From%%"

New-TransportRule -Name "External sender" -FromScope NotInOrganization -SentToScope InOrganization -ApplyHtmlDisclaimerLocation Prepend -ApplyHtmlDisclaimerText "<p>External sender</p>" -ApplyHtmlDisclaimerFallbackAction Ignore

New-TransportRule -Name "Subject patterns" -SubjectMatchesPatterns "invoice\s+\d+","payment.*due" -Quarantine $true -StopRuleProcessing:$true

New-TransportRule -Name "Partner copies" -SentTo "admin@contoso.com" -BlindCopyTo compliance@contoso.com -Priority 0 -Comments 'Audit copy'

New-TransportRule -Name "Time bound" -ActivationDate "11/01/2026" -ExpiryDate "12/31/2026 11:59 PM" -SubjectContainsWords 'Holiday' -DeleteMessage $true -Enabled $false

New-TransportRule -Name "AD compare" -ADComparisonAttribute Department -ADComparisonOperator NotEqual -ModerateMessageByManager $true

New-TransportRule -Name "Sensitive" -MessageContainsDataClassifications @{Name="Credit Card Number"; minCount="2"} -NotifySender NotifyOnly -SetAuditSeverity High

New-TransportRule -Name "Envelope check" -SenderAddressLocation Envelope -FromAddressMatchesPatterns '@contoso\.com$' -ExceptIfSenderIpRanges 192.168.1.1,192.168.0.1-192.168.0.254,10.1.0.0/25 -Quarantine $true

New-TransportRule -Name "Header words" -HeaderContainsMessageHeader 'X-Mailer' -HeaderContainsWords 'BadMailer','Spam Cannon' -RedirectMessageTo "security@contoso.com"

New-TransportRule -Name "Importance" -WithImportance High -MessageTypeMatches AutoForward -SCLOver 5 -ExceptIfSCLOver 8 -RemoveHeader 'X-Forwarded'

New-TransportRule -Name "Recipients" -RecipientDomainIs fabrikam.com -AnyOfToCcHeader "ann@contoso.com" -AddToRecipients "bob@contoso.com" -CopyTo carol@contoso.com -RecipientAddressType Original

New-TransportRule -Name "Attachments" -AttachmentExtensionMatchesWords exe,js,vbs -AttachmentIsPasswordProtected $true -ExceptIfAttachmentNameMatchesPatterns 'report.*\.zip' -RuleErrorAction Defer

New-TransportRule -Name "Spoof banner" -SenderIpRanges 2001:db8::/32 -ExceptIfFromMemberOf "executives@contoso.com" -ApplyHtmlDisclaimerText "Caution" -UseLegacyRegex $false -RuleSubType None

New-TransportRule -Name "Continued" `
  -SentToScope InOrganization `
  -Quarantine $true

New-TransportRule —Name “Em dash rule” ―Quarantine $true –SubjectContainsWords ‚Urgent‛

New-TransportRule -Name 'Doubled ''quotes'' rule' -SubjectContainsWords "say ""hi""" -Quarantine $true

New-TransportRule -Name "Array expr" -SentTo @("a@contoso.com", "b@contoso.com") -Quarantine $true

$ranges = "203.0.113.0/24", "198.51.100.7"; New-TransportRule -Name "Var ranges" -ExceptIfSenderIpRanges $ranges -Quarantine $true

$p = @{ Name = "Splatted"; Quarantine = $true; Priority = 0 }; New-TransportRule @p

<# block comment #> New-TransportRule -Name "Commented" -Quarantine $true # trailing comment

Get-TransportRule

Get-TransportRule "Ethical Wall - Sales and Brokerage Departments" | Format-List

Get-TransportRule -State:Enabled | Format-Table Name, Priority

get-transportrule -st enabled

Get-TransportRule | Where-Object {$_.Mode -eq 'Audit'}

Get-TransportRule | Where-Object Priority -lt 3 | Select-Object Name, Priority | Sort-Object Priority -Descending

Set-TransportRule "Mark as spam" -Priority 2

Set-TransportRule -Identity "Ethical Wall - Sales and Brokerage Departments" -ExceptIfFrom @{Add="chris.ashton@contoso.com"; Remove="tony.smith@contoso.com"}

Set-TransportRule "Header words" -HeaderContainsWords @{Add='Bulk'}

Set-TransportRule "Mark as spam" -Mode Audit -Comments "testing"

Disable-TransportRule "Mark as spam"

Enable-TransportRule "Mark as spam" -Mode Enforce

Get-TransportRule | Where-Object State -eq Disabled | Enable-TransportRule

Remove-TransportRule -Identity "Large attachments" -Confirm:$false

Get-TransportRule "Bypass clutter" | Remove-TransportRule -Confirm:$false

Get-QuarantineMessage

Get-QuarantineMessage -StartReceivedDate 11/20/2026 -EndReceivedDate 11/22/2026

Get-QuarantineMessage -QuarantineTypes TransportRule,HighConfPhish -PageSize 50 -Page 1

Get-QuarantineMessage -Direction Inbound -SenderAddress attacker@contoso.com -ReleaseStatus NotReleased

Get-QuarantineMessage -Identity "8fb3ba03-3fa3-4b5f-a7d5-08d9c8f0b2a3\4ef1c1a6-47d4-4c9f-b1a2-5d0b6b0b9f11"

Preview-QuarantineMessage -Identity "8fb3ba03-3fa3-4b5f-a7d5-08d9c8f0b2a3\4ef1c1a6-47d4-4c9f-b1a2-5d0b6b0b9f11"

Export-QuarantineMessage -Identity "8fb3ba03-3fa3-4b5f-a7d5-08d9c8f0b2a3\4ef1c1a6-47d4-4c9f-b1a2-5d0b6b0b9f11" -PasswordV2 'Pa$$word' -ReasonForExport "investigation"

Export-QuarantineMessage -Identities "8fb3ba03-3fa3-4b5f-a7d5-08d9c8f0b2a3\4ef1c1a6-47d4-4c9f-b1a2-5d0b6b0b9f11","8fb3ba03-3fa3-4b5f-a7d5-08d9c8f0b2a3\4ef1c1a6-47d4-4c9f-b1a2-5d0b6b0b9f12" -CompressOutput

Release-QuarantineMessage -Identity "8fb3ba03-3fa3-4b5f-a7d5-08d9c8f0b2a3\4ef1c1a6-47d4-4c9f-b1a2-5d0b6b0b9f11" -User julia@contoso.com

Release-QuarantineMessage -Identities "8fb3ba03-3fa3-4b5f-a7d5-08d9c8f0b2a3\4ef1c1a6-47d4-4c9f-b1a2-5d0b6b0b9f11","8fb3ba03-3fa3-4b5f-a7d5-08d9c8f0b2a3\4ef1c1a6-47d4-4c9f-b1a2-5d0b6b0b9f12" -ActionType Release

Release-QuarantineMessage -Identity "8fb3ba03-3fa3-4b5f-a7d5-08d9c8f0b2a3\4ef1c1a6-47d4-4c9f-b1a2-5d0b6b0b9f12" -ReleaseToAll -AllowSender -ReportFalsePositive -Force

Get-QuarantineMessage -QuarantineTypes TransportRule | Release-QuarantineMessage -ReleaseToAll

Delete-QuarantineMessage -Identity "8fb3ba03-3fa3-4b5f-a7d5-08d9c8f0b2a3\4ef1c1a6-47d4-4c9f-b1a2-5d0b6b0b9f13" -Confirm:$false

Get-QuarantineMessage -ReleaseStatus Released | Delete-QuarantineMessage -HardDelete -Confirm:$false

Get-MessageTrace

Get-MessageTrace -SenderAddress john@contoso.com -StartDate 11/20/2026 -EndDate 11/22/2026

Get-MessageTrace -RecipientAddress ann@contoso.com -Status Failed,Quarantined -PageSize 100 -Page 2

Get-MessageTrace -FromIP 203.0.113.9 -StartDate (Get-Date).AddDays(-2) -EndDate (Get-Date)

Get-MessageTraceV2 -StartDate 11/15/2026 -EndDate 11/22/2026 -ResultSize 5000 -Subject "Invoice" -SubjectFilterType StartsWith

Get-MessageTraceV2 -MessageId "<abc@contoso.com>"

Get-MessageTrace -SenderAddress john@contoso.com | Get-MessageTraceDetail

Get-MessageTraceDetail -MessageTraceId ae5c1219-4c90-41bf-fef5-08d837917e7c -RecipientAddress robert@contoso.com -Event Deliver

Get-MessageTraceDetailV2 -MessageTraceId ae5c1219-4c90-41bf-fef5-08d837917e7c -RecipientAddress robert@contoso.com

Start-HistoricalSearch -ReportTitle DirectSendMessages -StartDate 11/01/2026 -EndDate 11/22/2026 -ReportType ConnectorReport -ConnectorType NoConnector -Direction Received -NotifyAddress admin@contoso.com

Start-HistoricalSearch -ReportTitle "Fabrikam Search" -StartDate 11/01/2026 -EndDate 11/07/2026 -ReportType MessageTrace -SenderAddress michelle@fabrikam.com -NotifyAddress chris@contoso.com

Start-HistoricalSearch -ReportTitle "TLS report" -StartDate 11/01/2026 -EndDate 11/22/2026 -ReportType ConnectorReport -ConnectorType Partner -TLSUsed TLS1.2 -DeliveryStatus Delivered -CompressFile $true

Start-HistoricalSearch -ReportTitle "Rule hits" -StartDate 2026-11-01 -EndDate 2026-11-22 -ReportType TransportRule -TransportRule "Mark as spam" -OriginalClientIP 203.0.113.5

Get-HistoricalSearch

Get-HistoricalSearch | Format-List

Get-HistoricalSearch | Stop-HistoricalSearch

Test-MailFlow -ClientIP 203.0.113.7 -MailFrom printer@contoso.com -Recipients ann@contoso.com

Test-MailFlow -ClientIP 198.51.100.10 -MailFrom app@contoso.com -Recipient ann@contoso.com,bob@contoso.com -TlsVersion TLS1.3 -CertificateName mail.contoso.com -HeloName relay.contoso.com

Test-MailFlow -ClientIP 2001:db8::1 -MailFrom a@fabrikam.com -Recipients ann@contoso.com -Subject "Hello" -Headers @{"X-Test"="1"} -TlsVersion None -Authenticated

Invoke-Hunting -Query "EmailEvents | where Timestamp > ago(30d) | where EmailDirection == 'Inbound' and Connectors == '' and isnotempty(SenderIPv4) | project Timestamp, RecipientEmailAddress, SenderFromAddress, Subject, NetworkMessageId, EmailDirection, Connectors, SenderIPv4, SenderIPv6"

Invoke-Hunting 'EmailEvents | take 10' -Limit 10

Get-TransportRule | Select-Object Name, @{Name="Exceptions"; Expression={$_.Exceptions.Count}} | Format-Table -AutoSize

Get-TransportRule | Export-Csv -Path rules.csv -NoTypeInformation

Get-InboundConnector | ConvertTo-Json -Depth 3

Get-TransportRule | ForEach-Object { "$($_.Name) has priority $($_.Priority)" }

Get-Command *TransportRule*

Get-Help New-InboundConnector -Parameter SenderIPAddresses
